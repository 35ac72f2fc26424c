package io.wsgate.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Frame;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.ScriptedBackend;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connections API on one replica: {@code POST /actuator/wssessions/{id}/messages} puts a
 * message of the gateway's own into a live proxied connection, toward its client, at a message
 * boundary; {@code POST /actuator/wssessions/messages} fans one out; the {@code publisher} role
 * may do that and nothing else.
 */
class ConnectionsApiTest extends AdminGatewayTest {

	private static final String KEY = "key-of-dave";

	private static final ScriptedBackend scripted;

	static {
		try {
			scripted = new ScriptedBackend();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@AfterAll
	static void stopBackend() throws IOException {
		scripted.close();
	}

	@BeforeEach
	void routes() throws Exception {
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
		create("push-open", route(echoUri(), "/push-open/**"));
		create("push-auth", route(echoUri(), "/push-auth/**", "{\"name\":\"WebSocketAuth\",\"args\":"
				+ "{\"api-keys.keys[0].id\":\"dave\",\"api-keys.keys[0].hash\":\"" + hash + "\"}}"));
		create("push-small", route(echoUri(), "/push-small/**",
				"{\"name\":\"MaxMessageSize\",\"args\":{\"outbound\":\"1KB\"}}"));
		create("push-frag", route("ws://127.0.0.1:" + scripted.port(), "/push-frag/**"));
		assertThat(upgrades("/push-open/x")).isTrue();
		assertThat(upgrades("/push-frag/x")).isTrue();
	}

	private void create(String id, String definition) throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/" + id, definition).statusCode()).isIn(200, 201);
	}

	@Test
	void textAndBinaryMessagesReachTheClientByteForByte() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/push-open/x")) {
			String id = onlySession("push-open");
			byte[] text = "héllo, wörld".getBytes(StandardCharsets.UTF_8);
			HttpResponse<String> sent = publisher().postBytes(messages(id), "text/plain; charset=utf-8", text);
			assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
			Frame frame = ws.readFrame();
			assertThat(frame.opcode()).isEqualTo(Frame.TEXT);
			assertThat(frame.fin()).isTrue();
			assertThat(frame.payload()).isEqualTo(text);

			byte[] binary = new byte[3000];
			new Random(7).nextBytes(binary);
			assertThat(publisher().postBytes(messages(id), "application/octet-stream", binary).statusCode())
				.isEqualTo(202);
			frame = ws.readFrame();
			assertThat(frame.opcode()).isEqualTo(Frame.BINARY);
			assertThat(frame.payload()).isEqualTo(binary);

			assertThat(publisher().postBytes(messages(id), "application/problem+json", "{\"a\":1}".getBytes())
				.statusCode()).isEqualTo(202);
			assertThat(ws.readFrame().opcode()).as("a +json body is text").isEqualTo(Frame.TEXT);

			ws.sendText("still relayed");
			assertThat(ws.readFrame().text()).isEqualTo("still relayed");
			JsonNode outbound = admin().getJson("/actuator/wssessions/" + id).get("outbound");
			assertThat(outbound.get("text").asLong()).as("pushed frames are counted").isEqualTo(3);
			assertThat(outbound.get("binary").asLong()).isEqualTo(1);
			close(ws);
		}
	}

	@Test
	void refusalsNameTheirReason() throws Exception {
		assertThat(publisher().postBytes(messages("no-such-id"), "text/plain", "x".getBytes()).statusCode())
			.isEqualTo(404);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/push-small/x")) {
			String id = onlySession("push-small");
			HttpResponse<String> big = publisher().postBytes(messages(id), "text/plain", "x".repeat(1025).getBytes());
			assertThat(big.statusCode()).isEqualTo(400);
			assertThat(big.body()).contains("outbound limit of 1024 bytes");
			assertThat(publisher().postBytes(messages(id), "text/plain", new byte[] { (byte) 0xC3, 0x28 })
				.statusCode()).as("a text body that is not UTF-8").isEqualTo(400);
			assertThat(publisher().postBytes(messages(id), "application/octet-stream", new byte[1024 * 1024 + 1])
				.statusCode()).as("over wsgate.connections.max-push-size").isEqualTo(413);
			assertThat(publisher().postBytes(messages(id), "text/plain", "fits".getBytes()).statusCode())
				.isEqualTo(202);
			assertThat(ws.readFrame().text()).isEqualTo("fits");
			close(ws);
		}
	}

	@Test
	void aMessageWaitsForTheLastFragmentOfTheBackendsMessage() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/push-frag/fragments")) {
			String id = onlySession("push-frag");
			ws.sendText("start");
			Frame first = ws.readFrame();
			assertThat(first.fin()).isFalse();
			CompletableFuture<HttpResponse<String>> sent = publisher().postBytesAsync(messages(id), "text/plain",
					"pushed".getBytes());
			Thread.sleep(300); // time enough to get in between the fragments, if it could
			assertThat(sent).as("not written while the backend's message is unfinished").isNotDone();
			ws.sendText("finish");
			Frame last = ws.readFrame();
			assertThat(last.opcode()).isEqualTo(Frame.CONTINUATION);
			assertThat(last.fin()).isTrue();
			assertThat(last.text()).isEqualTo("part-2");
			Frame pushed = ws.readFrame();
			assertThat(pushed.opcode()).isEqualTo(Frame.TEXT);
			assertThat(pushed.text()).isEqualTo("pushed");
			assertThat(sent.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(202);
			close(ws);
		}
	}

	@Test
	void atMostSixteenMessagesWaitOnAConnection() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/push-frag/fragments")) {
			String id = onlySession("push-frag");
			ws.sendText("start");
			assertThat(ws.readFrame().fin()).isFalse();
			List<CompletableFuture<HttpResponse<String>>> sends = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				sends.add(publisher().postBytesAsync(messages(id), "text/plain", ("m" + i).getBytes()));
			}
			Management.eventually(java.time.Duration.ofSeconds(10),
					() -> sends.stream().filter(CompletableFuture::isDone).count() == 4);
			assertThat(sends.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join))
				.hasSize(4)
				.allSatisfy(refused -> {
					assertThat(refused.statusCode()).isEqualTo(429);
					assertThat(refused.headers().firstValue("Retry-After")).isPresent();
				});
			ws.sendText("finish");
			assertThat(ws.readFrame().text()).isEqualTo("part-2");
			for (int i = 0; i < 16; i++) {
				assertThat(ws.readFrame().text()).startsWith("m");
			}
			assertThat(sends.stream().map(CompletableFuture::join).filter(sent -> sent.statusCode() == 202))
				.hasSize(16);
			close(ws);
		}
	}

	@Test
	void fanOutReachesEveryConnectionOfARouteOrPrincipal() throws Exception {
		try (RawWebSocket a = RawWebSocket.connect(this.port, "/push-open/a");
				RawWebSocket b = RawWebSocket.connect(this.port, "/push-open/b");
				RawWebSocket dave = RawWebSocket.connect(this.port, "/push-auth/x", Map.of("X-API-Key", KEY))) {
			assertThat(dave.status()).isEqualTo(101);
			HttpResponse<String> byRoute = publisher().postBytes("/actuator/wssessions/messages?route=push-open",
					"text/plain", "to the route".getBytes());
			assertThat(byRoute.statusCode()).as(byRoute.body()).isEqualTo(200);
			JsonNode answer = Management.json.readTree(byRoute.body());
			assertThat(answer.get("matched").asInt()).isEqualTo(2);
			assertThat(answer.get("reached").asInt()).isEqualTo(2);
			assertThat(a.readFrame().text()).isEqualTo("to the route");
			assertThat(b.readFrame().text()).isEqualTo("to the route");

			HttpResponse<String> byPrincipal = publisher().postBytes("/actuator/wssessions/messages?principal=dave",
					"application/octet-stream", new byte[] { 1, 2, 3 });
			assertThat(Management.json.readTree(byPrincipal.body()).get("reached").asInt()).isEqualTo(1);
			assertThat(dave.readFrame().payload()).containsExactly(1, 2, 3);

			HttpResponse<String> unfiltered = publisher().postBytes("/actuator/wssessions/messages", "text/plain",
					"to everyone".getBytes());
			assertThat(unfiltered.statusCode()).isEqualTo(400);
			assertThat(unfiltered.body()).contains("route or principal");
			a.sendText("nothing else came");
			assertThat(a.readFrame().text()).isEqualTo("nothing else came");
			close(a);
			close(b);
			close(dave);
		}
	}

	@Test
	void publisherMayOnlyPushAndViewerMayNot() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/push-open/x")) {
			String id = onlySession("push-open");
			assertThat(publisher().get("/actuator/wssessions").statusCode()).isEqualTo(403);
			assertThat(publisher().get("/actuator/wssessions/" + id).statusCode()).isEqualTo(403);
			assertThat(publisher().delete("/actuator/wssessions/" + id).statusCode()).isEqualTo(403);
			assertThat(publisher().get("/actuator/gateway/routes").statusCode()).isEqualTo(403);
			assertThat(publisher().post("/actuator/gateway/routes/push-x", route(echoUri(), "/push-x/**"))
				.statusCode()).isEqualTo(403);
			assertThat(viewer().postBytes(messages(id), "text/plain", "no".getBytes()).statusCode()).isEqualTo(403);
			assertThat(viewer().postBytes("/actuator/wssessions/messages?route=push-open", "text/plain",
					"no".getBytes()).statusCode()).isEqualTo(403);
			assertThat(anonymous().postBytes(messages(id), "text/plain", "no".getBytes()).statusCode()).isEqualTo(401);
			assertThat(publisher().withoutRequestedByHeader()
				.postBytes(messages(id), "text/plain", "forged".getBytes())
				.statusCode()).as("a write without X-Requested-By (cross-site request forgery)").isEqualTo(403);
			assertThat(admin().postBytes(messages(id), "text/plain", "from the admin".getBytes()).statusCode())
				.isEqualTo(202);
			assertThat(ws.readFrame().text()).isEqualTo("from the admin");
			close(ws);
		}
	}

	private static String messages(String id) {
		return "/actuator/wssessions/" + id + "/messages";
	}

	private String onlySession(String route) throws Exception {
		JsonNode sessions = admin().getJson("/actuator/wssessions?route=" + route);
		assertThat(sessions.get("total").asInt()).isEqualTo(1);
		JsonNode session = sessions.get("sessions").get(0);
		assertThat(session.get("replica").asString()).isNotEmpty();
		return session.get("id").asString();
	}

	private static void close(RawWebSocket ws) throws IOException {
		ws.sendClose(1000, "");
		ws.readUntilClose();
	}

}
