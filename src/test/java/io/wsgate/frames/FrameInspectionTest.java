package io.wsgate.frames;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code FrameInspection}: every built-in hook and decision, in both directions. */
class FrameInspectionTest extends FramesGatewayTest {

	@Test
	void wellFormedJsonPassesNotJsonIs1007AndSqlIs1008AndTheBackendSeesNeither() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x?id=" + id)) {
			ws.sendText("{\"a\":1}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"a\":1}");
			ws.sendText("not json");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1007);
			assertThat(close.closeReason()).isEqualTo("invalid JSON");
			EchoBackend.Record seen = echo.record(id);
			assertThat(seen.closeStatus(Duration.ofSeconds(5)).code()).isEqualTo(1007);
			assertThat(seen.texts()).containsExactly("{\"a\":1}");
		}
		String sql = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x?id=" + sql)) {
			ws.sendText("{\"q\":\"DROP TABLE x\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(echo.record(sql).closeStatus(Duration.ofSeconds(5)).code()).isEqualTo(1008);
			assertThat(echo.record(sql).texts()).isEmpty();
		}
	}

	@Test
	void aMessageOverTheHooksSizeIs1009() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x")) {
			ws.sendText("{\"a\":\"" + "x".repeat(1100) + "\"}");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1009);
		}
	}

	@Test
	void fragmentsAreJoinedBeforeTheHooksSeeTheMessage() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x?id=" + id)) {
			ws.send(false, Frame.TEXT, "{\"greeting\":".getBytes(StandardCharsets.UTF_8));
			ws.send(false, Frame.CONTINUATION, "\"hé".getBytes(StandardCharsets.UTF_8));
			ws.send(true, Frame.CONTINUATION, "llo\"}".getBytes(StandardCharsets.UTF_8));
			Frame echoed = ws.readFrame();
			assertThat(echoed.fin()).isTrue();
			assertThat(echoed.text()).isEqualTo("{\"greeting\":\"héllo\"}");
			assertThat(echo.record(id).texts()).containsExactly("{\"greeting\":\"héllo\"}");
			ws.sendClose(1000, "");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void controlFramesPassBetweenFragmentsAndPingsAreAnswered() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x")) {
			ws.send(false, Frame.TEXT, "[1,".getBytes(StandardCharsets.UTF_8));
			ws.send(true, Frame.PING, "p".getBytes(StandardCharsets.UTF_8));
			ws.send(true, Frame.CONTINUATION, "2]".getBytes(StandardCharsets.UTF_8));
			Frame first = ws.readFrame();
			assertThat(first.opcode()).isEqualTo(Frame.PONG);
			assertThat(ws.readFrame().text()).isEqualTo("[1,2]");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void aContinuationWithoutAMessageIsAProtocolError() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect/x")) {
			ws.send(true, Frame.CONTINUATION, "{}".getBytes(StandardCharsets.UTF_8));
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1002);
		}
	}

	@Test
	void outboundHooksDropOrCloseWhatTheBackendSends() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-out/x?id=" + id)) {
			ws.sendText("not json"); // reaches the backend (inbound is not inspected), its echo is dropped
			ws.sendText("a secret, but not json"); // json comes first in the chain: dropped, not closed
			ws.sendText("{\"b\":2}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"b\":2}");
			ws.sendText("{\"s\":\"a secret\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4001);
			assertThat(close.closeReason()).isEqualTo("no secrets");
			assertThat(echo.record(id).texts()).contains("not json");
			assertThat(echo.record(id).closeStatus(Duration.ofSeconds(5)).code()).isEqualTo(4001);
		}
		assertThat(decisions("inspect-out", "json", "drop")).isGreaterThanOrEqualTo(1);
		assertThat(decisions("inspect-out", "deny", "close")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void userHooksReplaceMessagesAndMayChangeTheirType() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-bean/x?id=" + id)) {
			ws.sendText("{\"a\":1}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"a\":1,\"via\":\"wsgate\"}");
			assertThat(echo.record(id).texts()).containsExactly("{\"a\":1,\"via\":\"wsgate\"}");
			ws.sendText("to-binary:abc");
			Frame binary = ws.readFrame();
			assertThat(binary.opcode()).isEqualTo(Frame.BINARY);
			assertThat(new String(binary.payload(), StandardCharsets.UTF_8)).isEqualTo("abc");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void anAsynchronousHookKeepsTheOrderOfMessagesAndStallsNoOtherConnection() throws Exception {
		try (RawWebSocket slow = RawWebSocket.connect(this.port, "/inspect-async/x");
				RawWebSocket other = RawWebSocket.connect(this.port, "/inspect-async/y")) {
			slow.sendText("wait:1500");
			slow.sendText("after");
			long start = System.nanoTime();
			for (int i = 0; i < 50; i++) {
				other.sendText("wait:0 #" + i);
				assertThat(other.readFrame().text()).isEqualTo("wait:0 #" + i);
			}
			long otherDone = System.nanoTime();
			assertThat(slow.readFrame().text()).isEqualTo("wait:1500");
			long slowDone = System.nanoTime();
			assertThat(slow.readFrame().text()).isEqualTo("after");
			assertThat(otherDone).as("the other connection finished before the slow hook decided")
				.isLessThan(slowDone);
			assertThat(TimeUnit.NANOSECONDS.toMillis(slowDone - start)).isGreaterThanOrEqualTo(1400);
			slow.sendClose(1000, "");
			other.sendClose(1000, "");
			slow.readUntilClose();
			other.readUntilClose();
		}
	}

	@Test
	void aHookThatNeverDecidesClosesWith1011OrPassesIfConfigured() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-timeout/x")) {
			ws.sendText("{}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1011);
			assertThat(close.closeReason()).isEqualTo("message inspection timed out");
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-timeout-pass/x")) {
			ws.sendText("{}");
			assertThat(ws.readFrame().text()).isEqualTo("{}");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		assertThat(decisions("inspect-timeout", "bean:never", "timeout")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void jsonSchemaPassesValidMessagesAndClosesOnOthers() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-schema/x")) {
			ws.sendText("{\"id\":1,\"name\":\"a\"}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"id\":1,\"name\":\"a\"}");
			ws.sendText("{\"id\":\"one\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("message does not match the schema");
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-schema/x")) {
			ws.sendText("not json");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1008);
		}
	}

	@Test
	void rateLimitDropsMessagesOverTheRateAndRefills() throws Exception {
		double before = decisions("inspect-rate", "rate-limit", "drop");
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-rate/x")) {
			for (int i = 0; i < 20; i++) {
				ws.sendText("m" + i);
			}
			// every one of the 20 decided: the echoes of those that passed are on their way
			ws.setReadTimeout(Duration.ofSeconds(5));
			List<String> passed = new ArrayList<>();
			await().atMost(Duration.ofSeconds(5)).until(() -> {
				if (passed.size() + decisions("inspect-rate", "rate-limit", "drop") - before < 20) {
					passed.add(ws.readFrame().text());
				}
				return passed.size() + decisions("inspect-rate", "rate-limit", "drop") - before >= 20;
			});
			assertThat(passed).as("messages through of 20 sent at once, burst 5").hasSizeBetween(5, 7)
				.allMatch(text -> text.startsWith("m"));
			// the bucket refills: a message sent now and then gets through once there is a token again
			ws.setReadTimeout(Duration.ofMillis(300));
			await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
				ws.sendText("refilled");
				return ws.readFrame().text().equals("refilled");
			});
			ws.sendClose(1000, "");
			ws.setReadTimeout(Duration.ofSeconds(5));
			while (ws.readFrame().opcode() != Frame.CLOSE) {
				// late echoes of probes sent while waiting for a token
			}
		}
		assertThat(decisions("inspect-rate", "rate-limit", "drop") - before).isGreaterThanOrEqualTo(13);
	}

	@Test
	void rateLimitOnBytesCanClose() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-rate-bytes/x")) {
			ws.sendText("x".repeat(60));
			assertThat(ws.readFrame().text()).hasSize(60);
			ws.sendText("y".repeat(60));
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("rate limit exceeded");
		}
	}

	@Test
	void hooksSeeThePrincipalOfWebSocketAuth() throws Exception {
		com.nimbusds.jwt.SignedJWT jwt = new com.nimbusds.jwt.SignedJWT(
				new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.HS256),
				new com.nimbusds.jwt.JWTClaimsSet.Builder().subject("alice")
					.expirationTime(new java.util.Date(System.currentTimeMillis() + 300_000))
					.build());
		jwt.sign(new com.nimbusds.jose.crypto.MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/inspect-principal/x?id=" + id,
				Map.of("Authorization", "Bearer " + jwt.serialize()))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("{\"text\":\"hi\"}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"text\":\"hi\",\"sender\":\"alice\"}");
			assertThat(echo.record(id).texts()).containsExactly("{\"text\":\"hi\",\"sender\":\"alice\"}");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

}
