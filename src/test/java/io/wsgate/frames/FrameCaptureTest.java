package io.wsgate.frames;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
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
	void tokensInTheSubprotocolHeadersQueryAndPayloadOfARouteWithoutAuthAreMaskedEverywhere() throws Exception {
		String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0MGtlbi1zdWJqZWN0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg";
		ListAppender<ILoggingEvent> connectionLog = new ListAppender<>();
		Logger connections = (Logger) LoggerFactory.getLogger("io.wsgate.connections");
		connectionLog.start();
		connections.addAppender(connectionLog);
		String sessions;
		String path = "/capture-wide/any-protocol?jwt=abc-s3cr3t&%6Aw%74=def-s3cr3t&room=7";
		try (RawWebSocket ws = RawWebSocket.connect(this.port, path, Map.of("Sec-WebSocket-Protocol",
				"bearer." + jwt + ", chat", "X-My-Token", "hdr-s3cr3t"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("Sec-WebSocket-Protocol")).isEqualTo("bearer." + jwt); // the backend chose it
			ws.sendText("{\"authorization\": \"Bearer abc.def.ghi\", \"msg\": \"hi\"}");
			assertThat(ws.readFrame().text()).contains("abc.def.ghi");
			sessions = management("/actuator/wssessions?route=capture-wide").toString();
			ws.sendClose(1000, "bye");
			ws.readUntilClose();
		}
		finally {
			connections.detachAppender(connectionLog);
		}
		JsonNode route = traffic("?route=capture-wide").path("routes").get(0);
		JsonNode connection = route.path("connections").get(0);
		assertThat(connection.path("requestUri").asString())
			.isEqualTo("/capture-wide/any-protocol?jwt=***&%6Aw%74=***&room=7");
		assertThat(connection.path("requestHeaders").path("Sec-WebSocket-Protocol").get(0).asString())
			.isEqualTo("bearer.***, chat");
		assertThat(connection.path("requestHeaders").path("X-My-Token").get(0).asString()).isEqualTo("***");
		String frames = route.path("frames").toString();
		assertThat(frames).contains("msg").contains("hi").contains("authorization");
		String everything = traffic("").toString();
		assertThat(everything).doesNotContain("s3cr3t").doesNotContain(jwt.substring(0, 20)).doesNotContain("abc.def");
		assertThat(sessions).contains("\"subprotocol\":\"bearer.***\"").doesNotContain(jwt.substring(0, 20));
		List<String> opened = connectionLog.list.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.filter(line -> line.startsWith("opened ") && line.contains("route=capture-wide "))
			.toList();
		assertThat(opened).hasSize(1);
		assertThat(opened.get(0)).contains("protocol=bearer.***").doesNotContain(jwt.substring(0, 20));
	}

	@Test
	void theCredentialNamesOfTheRoutesWebSocketAuthAreMaskedInPreviews() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/capture-auth/x?ticket=" + API_KEY + "&room=7")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("{\"ticket\": \"tkt-s3cr3t\", \"msg\": \"hi\"}");
			assertThat(ws.readFrame().text()).contains("tkt-s3cr3t");
			ws.sendClose(1000, "bye");
			ws.readUntilClose();
		}
		JsonNode route = traffic("?route=capture-auth").path("routes").get(0);
		assertThat(route.path("connections").get(0).path("requestUri").asString()).isEqualTo("/capture-auth/x?room=7");
		JsonNode inbound = traffic("?route=capture-auth&direction=inbound").path("routes").get(0).path("frames");
		assertThat(inbound.get(1).path("preview").asString()).isEqualTo("{\"ticket\": \"***\", \"msg\": \"hi\"}");
		assertThat(traffic("").toString()).doesNotContain("s3cr3t");
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
		return management("/actuator/wstraffic" + query);
	}

	private JsonNode management(String pathAndQuery) throws Exception {
		String credentials = Base64.getEncoder()
			.encodeToString((ADMIN + ":" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + pathAndQuery))
				.header("Authorization", "Basic " + credentials)
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return json.readTree(response.body());
	}

}
