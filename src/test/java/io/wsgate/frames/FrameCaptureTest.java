package io.wsgate.frames;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code FrameCapture} and {@code GET /actuator/wstraffic}: what is kept, what is masked, the bounds. */
class FrameCaptureTest extends FramesGatewayTest {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void framesAndTheUpgradeAreShownWithSecretsMasked() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/capture/x?access_token=t0p-s3cret&room=7",
				Map.of("Authorization", "Bearer t0p-s3cret", "X-Trace", "abc"))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("{\"user\":\"al\",\"password\":\"hunter2\"}");
			assertThat(ws.readFrame().text()).contains("hunter2"); // the relay itself changes nothing
			ws.send(true, Frame.BINARY, new byte[] { 0, 1, 2, (byte) 0xFF });
			ws.readFrame();
			ws.sendClose(1000, "bye");
			ws.readUntilClose();
		}
		JsonNode route = traffic("?route=capture&limit=1000").path("routes").get(0);
		assertThat(route.path("route").asString()).isEqualTo("capture");
		JsonNode connection = route.path("connections").get(0);
		String connectionId = connection.path("id").asString();
		assertThat(connection.path("requestUri").asString()).isEqualTo("/capture/x?access_token=***&room=7");
		assertThat(connection.path("requestHeaders").path("Authorization").get(0).asString()).isEqualTo("***");
		assertThat(connection.path("requestHeaders").path("X-Trace").get(0).asString()).isEqualTo("abc");
		assertThat(connection.path("status").asInt()).isEqualTo(101);

		JsonNode frames = traffic("?route=capture&connection=" + connectionId + "&direction=inbound").path("routes")
			.get(0)
			.path("frames");
		// newest first: close, binary, text
		assertThat(frames.get(0).path("opcode").asString()).isEqualTo("close");
		assertThat(frames.get(1).path("opcode").asString()).isEqualTo("binary");
		assertThat(frames.get(1).path("length").asInt()).isEqualTo(4);
		assertThat(frames.get(1).path("preview").asString())
			.isEqualTo("base64:" + Base64.getEncoder().encodeToString(new byte[] { 0, 1, 2, (byte) 0xFF }));
		assertThat(frames.get(2).path("opcode").asString()).isEqualTo("text");
		assertThat(frames.get(2).path("fin").asBoolean()).isTrue();
		assertThat(frames.get(2).path("direction").asString()).isEqualTo("inbound");
		// the first 32 of 34 bytes, the password masked even though the preview cut it short
		assertThat(frames.get(2).path("length").asInt()).isEqualTo(34);
		assertThat(frames.get(2).path("preview").asString()).isEqualTo("{\"user\":\"al\",\"password\":\"***");
		String everything = traffic("").toString();
		assertThat(everything).doesNotContain("hunter2").doesNotContain("t0p-s3cret");
		assertThat(traffic("?route=capture&connection=" + connectionId + "&direction=outbound").toString())
			.contains("\"direction\":\"outbound\"");
	}

	@Test
	void aFloodKeepsAtMostTheBoundsPerConnectionAndPerRoute() throws Exception {
		for (int c = 0; c < 3; c++) {
			try (RawWebSocket ws = RawWebSocket.connect(this.port, "/capture/flood")) {
				for (int i = 0; i < 200; i++) {
					ws.sendText("message " + i + " " + "x".repeat(100));
				}
				for (int i = 0; i < 200; i++) {
					ws.readFrame();
				}
				ws.sendClose(1000, "");
				ws.readUntilClose();
			}
		}
		JsonNode route = traffic("?route=capture&limit=1000").path("routes").get(0);
		assertThat(route.path("framesKept").asInt()).isEqualTo(50);
		assertThat(route.path("frames").size()).isEqualTo(50);
		assertThat(route.path("framesNotKept").asLong()).isGreaterThanOrEqualTo(3 * (400 - 20));
		for (JsonNode frame : route.path("frames")) {
			assertThat(frame.path("preview").asString().length()).isLessThanOrEqualTo(32);
		}
	}

	@Test
	void theEndpointNeedsTheManagementUser() throws Exception {
		HttpResponse<String> anonymous = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/wstraffic")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(anonymous.statusCode()).isEqualTo(401);
	}

	private JsonNode traffic(String query) throws Exception {
		String credentials = Base64.getEncoder()
			.encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/actuator/wstraffic" + query))
				.header("Authorization", "Basic " + credentials)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

}
