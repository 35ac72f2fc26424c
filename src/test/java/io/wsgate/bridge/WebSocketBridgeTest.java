package io.wsgate.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.support.Frame;
import io.wsgate.support.HttpServiceBackend;
import io.wsgate.support.JdkClient;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code WebSocketBridge} against a real HTTP service: the gateway holds the WebSocket, each
 * message becomes a POST routed by its {@code action}, the answers come back as messages, and
 * connect and disconnect bracket each connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "wsgate.websocket.close-timeout=2s",
				"spring.security.user.password=gateway-test-password" })
@ExtendWith(OutputCaptureExtension.class)
class WebSocketBridgeTest {

	static final HttpServiceBackend service = new HttpServiceBackend();

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry registry;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		Routes.route(registry, 0, "orders", service.uri(), "/orders/ws");
		Routes.filter(registry, 0, 0, "WebSocketBridge",
				Map.of("route-selection", "/action", "connect", "/ws/connect", "disconnect", "/ws/disconnect",
						"default", "/ws/default", "routes.send", "/ws/send", "routes.silent", "/ws/silent",
						"routes.fail", "/ws/fail", "routes.slow", "/ws/slow", "routes.hold", "/ws/hold",
						"request-timeout", "1s"));
		Routes.route(registry, 1, "strict", service.uri(), "/strict/ws");
		Routes.filter(registry, 1, 0, "WebSocketBridge",
				Map.of("route-selection", "/type/name", "routes.send", "/ws/send", "routes.hold", "/ws/hold",
						"request-timeout", "20s"));
		Routes.filter(registry, 1, 1, "MaxMessageSize", Map.of("inbound", "1KB"));
		Routes.route(registry, 2, "held", service.uri(), "/held/ws");
		Routes.filter(registry, 2, 0, "WebSocketBridge",
				Map.of("route-selection", "/action", "default", "/ws/hold", "request-timeout", "60s"));
		Routes.route(registry, 3, "expiring", service.uri(), "/expiring/ws");
		Routes.filter(registry, 3, 0, "WebSocketBridge",
				Map.of("route-selection", "/action", "default", "/ws/send", "disconnect", "/ws/disconnect"));
		Routes.filter(registry, 3, 1, "ConnectionExpiry", Map.of("expiry", "1s"));
		Routes.route(registry, 5, "pinged", service.uri(), "/pinged/ws");
		Routes.filter(registry, 5, 0, "WebSocketBridge", Map.of("route-selection", "/action", "default", "/ws/send"));
		Routes.filter(registry, 5, 1, "KeepAlive", Map.of("interval", "200ms", "timeout", "500ms"));
		Routes.route(registry, 4, "authed", service.uri(), "/authed/ws");
		Routes.filter(registry, 4, 0, "WebSocketAuth",
				Map.of("jwt.secret", SECRET, "identity-headers.sub", "X-User", "jwt.require-expiry", "true"));
		Routes.filter(registry, 4, 1, "WebSocketBridge",
				Map.of("route-selection", "/action", "connect", "/ws/connect", "default", "/ws/send"));
	}

	/**
	 * {@code KeepAlive} pings both sides; the bridge's side answers like a backend would, so the
	 * connection outlives many ping intervals (the JDK client answers its pings itself).
	 */
	@Test
	void keepAlivePingsAreAnsweredOnTheBridgesSide() throws Exception {
		JdkClient client = new JdkClient();
		java.net.http.WebSocket ws = java.net.http.HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(java.net.URI.create("ws://127.0.0.1:" + this.port + "/pinged/ws"), client)
			.get(5, java.util.concurrent.TimeUnit.SECONDS);
		// ten ping intervals, each pong due within 500 ms: an unanswered ping would close with 1011
		await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !client.closed.isDone());
		ws.sendText("{\"action\":\"still-there\"}", true);
		assertThat(client.first.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("{\"action\":\"still-there\"}");
		ws.sendClose(1000, "").get(5, java.util.concurrent.TimeUnit.SECONDS);
		assertThat(client.closed.get(5, java.util.concurrent.TimeUnit.SECONDS).code()).isEqualTo(1000);
	}

	static final String SECRET = "a-bridge-test-secret-of-at-least-32-bytes!";

	@Test
	void authenticationAtUpgradeReachesTheServiceAsIdentityHeadersOnEveryCall() throws Exception {
		SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("ann")
			.expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000))
			.build());
		token.sign(new MACSigner(SECRET));
		int connects = service.count("/ws/connect");
		try (RawWebSocket refused = RawWebSocket.connect(this.port, "/authed/ws")) {
			assertThat(refused.status()).isEqualTo(401);
		}
		assertThat(service.count("/ws/connect")).as("no connect call for a refused upgrade").isEqualTo(connects);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/authed/ws",
				Map.of("Authorization", "Bearer " + token.serialize(), "X-User", "mallory"))) {
			assertThat(ws.status()).isEqualTo(101);
			ProxiedConnection connection = onlyConnection();
			assertThat(connection.principal().getName()).isEqualTo("ann");
			ws.sendText("{\"action\":\"anything\"}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"action\":\"anything\"}");
			HttpServiceBackend.Call connect = service.calls("/ws/connect", connection.id()).get(0);
			assertThat(connect.header("X-User")).isEqualTo("ann");
			assertThat(connect.header("Authorization")).isNull();
			HttpServiceBackend.Call message = service.calls("/ws/send", connection.id()).get(0);
			assertThat(message.header("X-User")).isEqualTo("ann");
			assertThat(message.header("Authorization")).isNull();
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@AfterEach
	void noConnectionLeftOpen() {
		service.release();
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.size() == 0);
	}

	@AfterAll
	static void stop() {
		service.close();
	}

	@Test
	void messagesGoToThePathTheirActionNamesAndTheAnswersComeBack() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws",
				Map.of("Cookie", "session=s1", "X-Trace", "t1", "X-Forwarded-For", "198.51.100.66"))) {
			assertThat(ws.status()).isEqualTo(101);
			String id = onlyConnection().id();
			ws.sendText("{\"action\":\"send\",\"n\":1}");
			Frame answer = ws.readFrame();
			assertThat(answer.opcode()).isEqualTo(Frame.TEXT);
			assertThat(answer.text()).isEqualTo("{\"action\":\"send\",\"n\":1}");

			HttpServiceBackend.Call connect = service.calls("/ws/connect", id).get(0);
			assertThat(connect.header("Cookie")).isEqualTo("session=s1");
			assertThat(connect.header("X-Trace")).isEqualTo("t1");
			assertThat(connect.header("X-Forwarded-For")).as("no trusted proxies: the client's claim is dropped")
				.isNull();
			assertThat(connect.header("X-WsGate-Route")).isEqualTo("orders");
			assertThat(connect.header("Sec-WebSocket-Key")).isNull();
			assertThat(connect.header("Upgrade")).isNull();

			HttpServiceBackend.Call send = service.calls("/ws/send", id).get(0);
			assertThat(send.header("Content-Type")).isEqualTo("application/json");
			assertThat(send.header("X-WsGate-Route")).isEqualTo("orders");
			assertThat(send.header("Cookie")).as("message requests carry no client credentials").isNull();

			// the connections API's push reaches a bridged connection as it reaches a proxied one
			this.registry.find(id).orElseThrow().send(true, utf8("pushed")).toCompletableFuture().get(5,
					java.util.concurrent.TimeUnit.SECONDS);
			assertThat(ws.readFrame().text()).isEqualTo("pushed");

			// not JSON, and JSON naming no route: the default path, as text
			ws.sendText("plain words");
			assertThat(ws.readFrame().text()).isEqualTo("plain words");
			assertThat(service.calls("/ws/default", id).get(0).header("Content-Type"))
				.isEqualTo("text/plain; charset=utf-8");
			ws.sendText("{\"action\":\"unknown\"}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"action\":\"unknown\"}");

			// binary: the default path, and a binary answer
			ws.send(true, Frame.BINARY, new byte[] { 1, 2, 3, (byte) 0xFF });
			Frame binary = ws.readFrame();
			assertThat(binary.opcode()).isEqualTo(Frame.BINARY);
			assertThat(binary.payload()).containsExactly(1, 2, 3, 0xFF);

			// 204: nothing goes back (the next answer is the next message's)
			ws.sendText("{\"action\":\"silent\"}");
			ws.sendText("{\"action\":\"send\",\"n\":2}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"action\":\"send\",\"n\":2}");
			assertThat(service.calls("/ws/silent", id)).hasSize(1);

			ws.sendClose(1000, "bye");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1000);
			await().atMost(Duration.ofSeconds(5)).until(() -> service.calls("/ws/disconnect", id).size() == 1);
			HttpServiceBackend.Call disconnect = service.calls("/ws/disconnect", id).get(0);
			assertThat(disconnect.header("Content-Type")).isEqualTo("application/json");
			assertThat(disconnect.text()).isEqualTo("{\"code\":1000,\"reason\":\"bye\",\"initiator\":\"client\"}");
		}
	}

	@Test
	void aRefusingConnectCallAnswersTheClientWithItsStatusAndBodyBeforeAny101() throws Exception {
		int disconnects = service.count("/ws/disconnect");
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws", Map.of("X-Test-Refuse", "403"))) {
			assertThat(ws.status()).isEqualTo(403);
			assertThat(ws.header("X-Service")).isEqualTo("refused");
			assertThat(ws.body()).isEqualTo("refused by service");
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.size() == 0);
		assertThat(service.count("/ws/disconnect")).as("no connection, so no disconnect").isEqualTo(disconnects);
	}

	@Test
	void theConnectCallPicksTheSubprotocol() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws",
				Map.of("Sec-WebSocket-Protocol", "v1, v2", "X-Test-Protocol", "v2"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("Sec-WebSocket-Protocol")).isEqualTo("v2");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		// a subprotocol the client did not offer is the service's mistake: 502, no upgrade
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws",
				Map.of("Sec-WebSocket-Protocol", "v1", "X-Test-Protocol", "v9"))) {
			assertThat(ws.status()).isEqualTo(502);
		}
	}

	@Test
	void aFailingOrSlowCallClosesWith1011NamingOnlyTheStatus(CapturedOutput output) throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws")) {
			String id = onlyConnection().id();
			ws.sendText("{\"action\":\"fail\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1011);
			assertThat(close.closeReason()).isEqualTo("backend answered 500");
			ws.sendClose(1011, "");
			await().atMost(Duration.ofSeconds(5)).until(() -> service.calls("/ws/disconnect", id).size() == 1);
			assertThat(service.calls("/ws/disconnect", id).get(0).text()).contains("\"code\":1011")
				.contains("\"initiator\":\"backend\"");
			assertThat(output.getAll()).doesNotContain("secret failure details");
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws")) {
			ws.sendText("{\"action\":\"slow\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1011);
			assertThat(close.closeReason()).isEqualTo("backend timed out");
		}
	}

	@Test
	void aMessageWithNoRouteOnARouteWithoutDefaultIsClosedWith1008() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/strict/ws")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("{\"type\":{\"name\":\"send\"}}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"type\":{\"name\":\"send\"}}");
			ws.send(true, Frame.BINARY, new byte[] { 1 });
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("binary messages have no route here");
		}
	}

	@Test
	void theRoutesOtherFiltersApplyToBridgedConnections() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/strict/ws")) {
			ProxiedConnection connection = onlyConnection();
			assertThat(connection.routeId()).isEqualTo("strict");
			ws.sendText("{\"type\":{\"name\":\"send\"},\"pad\":\"" + "x".repeat(2000) + "\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
		}
	}

	@Test
	void aPlainRequestToABridgedRouteGets426() throws Exception {
		try (RawWebSocket plain = RawWebSocket.request(this.port, "GET", "/orders/ws",
				Map.of("Host", "127.0.0.1:" + this.port))) {
			assertThat(plain.status()).isEqualTo(426);
		}
	}

	@Test
	void tenThousandMessagesAreAnsweredInTheirOrderUnderMaxInFlightOne() throws Exception {
		int count = 10_000;
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/ws")) {
			Thread writer = new Thread(() -> {
				try {
					for (int i = 0; i < count; i++) {
						ws.sendText("{\"action\":\"send\",\"n\":" + i + "}");
					}
				}
				catch (java.io.IOException ex) {
					throw new java.io.UncheckedIOException(ex);
				}
			});
			writer.start();
			for (int i = 0; i < count; i++) {
				assertThat(ws.readFrame().text()).isEqualTo("{\"action\":\"send\",\"n\":" + i + "}");
			}
			writer.join();
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void aLifetimeFilterEndsABridgedConnectionAndDisconnectSaysTheGatewayDid() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/expiring/ws")) {
			String id = onlyConnection().id();
			ws.sendText("hello");
			assertThat(ws.readFrame().text()).isEqualTo("hello");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1001);
			ws.sendClose(1001, "");
			await().atMost(Duration.ofSeconds(5)).until(() -> service.calls("/ws/disconnect", id).size() == 1);
			assertThat(service.calls("/ws/disconnect", id).get(0).text())
				.isEqualTo("{\"code\":1001,\"reason\":\"connection expired\",\"initiator\":\"gateway\"}");
		}
	}

	/**
	 * The service holds every call: with one call outstanding the gateway stops reading the
	 * client, so what the client sends waits in its own socket, not in the gateway's memory;
	 * once the service answers, every message arrives, in order.
	 */
	@Test
	void aSlowServiceMakesTheGatewayStopReadingTheClient() throws Exception {
		int count = 300;
		byte[] pad = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
		PooledByteBufAllocatorMetric direct = PooledByteBufAllocator.DEFAULT.metric();
		long directBefore = direct.usedDirectMemory();
		int heldBefore = service.count("/ws/hold");
		service.hold();
		AtomicLong written = new AtomicLong();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/held/ws")) {
			Thread writer = new Thread(() -> {
				try {
					for (int i = 0; i < count; i++) {
						ws.send(true, Frame.BINARY, withIndex(i, pad));
						written.addAndGet(pad.length);
					}
				}
				catch (java.io.IOException ex) {
					// the socket closed at the end of the test
				}
			});
			writer.setDaemon(true);
			writer.start();
			await().atMost(Duration.ofSeconds(30)).until(() -> service.count("/ws/hold") - heldBefore == 1);
			// the writer stalls: nothing more is read from its socket
			AtomicLong last = new AtomicLong(-1);
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
				long now = written.get();
				return now > 0 && now == last.getAndSet(now);
			});
			assertThat(written.get()).as("bytes the client could write").isLessThan((long) count * pad.length);
			assertThat(service.count("/ws/hold") - heldBefore).as("calls outstanding").isEqualTo(1);
			long read = this.registry.connections().iterator().next().inbound().bytes();
			assertThat(read).as("bytes the gateway read from the client (it wrote %d)", written.get())
				.isLessThan(1024L * 1024);
			long held = direct.usedDirectMemory() - directBefore;
			assertThat(held).as("direct memory the gateway holds for it (client wrote %d bytes)", written.get())
				.isLessThan(4L * 1024 * 1024);

			// answered: everything comes through, in order
			service.release();
			for (int i = 0; i < count; i++) {
				Frame answer = ws.readFrame();
				assertThat(answer.payload()).hasSize(pad.length + 4);
				assertThat(java.nio.ByteBuffer.wrap(answer.payload()).getInt()).isEqualTo(i);
			}
			writer.join(10_000);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	private static byte[] withIndex(int index, byte[] pad) {
		return java.nio.ByteBuffer.allocate(4 + pad.length).putInt(index).put(pad).array();
	}

	private ProxiedConnection onlyConnection() {
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.size() == 1);
		List<ProxiedConnection> connections = List.copyOf(this.registry.connections());
		return connections.get(0);
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
