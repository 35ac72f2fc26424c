package io.wsgate.proxy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** The backend-first handshake: nothing is promised to the client before the backend agreed. */
class HandshakeTest extends GatewayTest {

	@Test
	void backendRefusalReachesClientWithItsStatusHeadersAndBody() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/refuse?id=" + newId())) {
			assertThat(ws.status()).isEqualTo(403);
			assertThat(ws.header("x-reason")).isEqualTo("nope");
			assertThat(ws.body()).isEqualTo("go away");
		}
	}

	@Test
	void unreachableBackendIs502BeforeAnyUpgrade() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/down")) {
			assertThat(ws.status()).isEqualTo(502);
			assertThat(ws.body()).contains("backend refused the connection");
		}
	}

	@Test
	void backendThatNeverAnswersIs504AfterTheConnectTimeout() throws Exception {
		long start = System.nanoTime();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/silent?id=" + newId())) {
			assertThat(ws.status()).isEqualTo(504);
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
		}
	}

	@Test
	void backendWithAWrongAcceptKeyIs502() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/bad-accept?id=" + newId())) {
			assertThat(ws.status()).isEqualTo(502);
			assertThat(ws.body()).contains("Sec-WebSocket-Accept");
		}
	}

	@Test
	void clientGetsExactlyTheSubprotocolTheBackendChose() throws Exception {
		WebSocket ws = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols("foo", "chat")
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/chat"), new WebSocket.Listener() {
			})
			.get(5, TimeUnit.SECONDS);
		assertThat(ws.getSubprotocol()).isEqualTo("chat");
		ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
	}

	@Test
	void noSubprotocolWhenTheBackendChoseNone() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/plain",
				Map.of("Sec-WebSocket-Protocol", "foo, bar"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-protocol")).isNull();
			ws.sendClose(1000, "");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void backendUpgradeHeadersReachTheClient() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/cookie")) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("set-cookie")).isEqualTo("session=abc; Path=/");
			assertThat(ws.header("x-backend")).isEqualTo("echo");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void requestHeadersAreForwardedWithoutHopByHopOnesNorTheClientsOwnForwardingClaims() throws Exception {
		String id = newId();
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Connection", "Upgrade, X-Hop");
		headers.put("X-Hop", "hop-by-hop");
		headers.put("Keep-Alive", "timeout=5");
		headers.put("X-Custom", "passes");
		headers.put("Cookie", "a=1");
		headers.put("X-Forwarded-For", "203.0.113.7");
		headers.put("Sec-WebSocket-Extensions", "permessage-deflate");
		String clientKey;
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/headers?id=" + id, headers)) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-extensions")).isNull();
			EchoBackend.Record record = echo.record(id);
			var seen = record.headers();
			assertThat(seen.get("X-Custom")).isEqualTo("passes");
			assertThat(seen.get("Cookie")).isEqualTo("a=1");
			assertThat(seen.contains("X-Hop")).isFalse();
			assertThat(seen.contains("Keep-Alive")).isFalse();
			assertThat(seen.contains("Sec-WebSocket-Extensions")).isFalse();
			assertThat(seen.get("Host")).isEqualTo("127.0.0.1:" + echo.port());
			// no trusted proxies (Spring Cloud Gateway's default): what the client claims is dropped
			assertThat(seen.contains("X-Forwarded-For")).isFalse();
			assertThat(seen.contains("Forwarded")).isFalse();
			// tracing is off by default: no trace context is made up for the backend
			assertThat(seen.contains("traceparent")).isFalse();
			assertThat(seen.get("Sec-WebSocket-Version")).isEqualTo("13");
			clientKey = ws.header("sec-websocket-accept");
			assertThat(seen.get("Sec-WebSocket-Key")).isNotNull().isNotEqualTo(clientKey);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void preserveHostHeaderSendsTheClientsHost() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/preserve?id=" + id, Map.of("Host", "chat.example"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(echo.record(id).headers().get("Host")).isEqualTo("chat.example");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void httpRouteRelaysAnUpgradeRequest() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/http-echo")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("over http");
			assertThat(ws.readFrame().text()).isEqualTo("over http");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void bytesTheBackendSendsRightAfterIts101ReachTheClient() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/greet?id=" + newId())) {
			assertThat(ws.status()).isEqualTo(101);
			Frame greeting = ws.readFrame();
			assertThat(greeting.opcode()).isEqualTo(Frame.TEXT);
			assertThat(greeting.text()).isEqualTo("hello");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void plainRequestToAWebSocketRouteIs426() throws Exception {
		try (RawWebSocket ws = RawWebSocket.request(this.port, "GET", "/echo/x",
				Map.of("Host", "127.0.0.1"))) {
			assertThat(ws.status()).isEqualTo(426);
			assertThat(ws.header("upgrade")).isEqualTo("websocket");
		}
	}

	@Test
	void handshakeWithoutAKeyIs400() throws Exception {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Sec-WebSocket-Key", null);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/x", headers)) {
			assertThat(ws.status()).isEqualTo(400);
			assertThat(ws.body()).contains("Sec-WebSocket-Key");
		}
	}

	@Test
	void handshakeWithAMalformedKeyIs400() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/x", Map.of("Sec-WebSocket-Key", "short"))) {
			assertThat(ws.status()).isEqualTo(400);
		}
	}

	@Test
	void unsupportedVersionIs426WithTheSupportedVersion() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/x", Map.of("Sec-WebSocket-Version", "8"))) {
			assertThat(ws.status()).isEqualTo(426);
			assertThat(ws.header("sec-websocket-version")).isEqualTo("13");
		}
	}

	@Test
	void upgradeWithoutConnectionUpgradeIs400() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/x", Map.of("Connection", "keep-alive"))) {
			assertThat(ws.status()).isEqualTo(400);
		}
	}

	@Test
	void jdkClientCompletesAConversation() throws Exception {
		CompletableFuture<String> reply = new CompletableFuture<>();
		WebSocket ws = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/echo/jdk"), new WebSocket.Listener() {
				@Override
				public CompletableFuture<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
					reply.complete(data.toString());
					return null;
				}
			})
			.get(5, TimeUnit.SECONDS);
		ws.sendText("héllo wörld", true);
		assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("héllo wörld");
		ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
	}

}
