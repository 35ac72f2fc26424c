package io.wsgate.frames;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.metrics.InspectionMetrics;
import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;
import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code FrameInspection} in front of the echo backend (which echoes what reaches it, so an
 * echo proves the message went through both chains):
 * <ul>
 * <li>{@code /inspect}: inbound max-size 1KB, json, deny {@code (?i)drop\s+table};</li>
 * <li>{@code /inspect-out}: outbound json (drop), deny {@code secret} (close 4001 "no secrets");</li>
 * <li>{@code /inspect-bean}: inbound bean {@code stamp} (adds "via" to JSON objects) and bean
 * {@code typed} ("to-binary:" texts become binary messages);</li>
 * <li>{@code /inspect-async}: inbound bean {@code slow} (decides after the delay the message names), timeout 3s;</li>
 * <li>{@code /inspect-timeout}, {@code /inspect-timeout-pass}: bean {@code never}, timeout 300ms, close / pass;</li>
 * <li>{@code /inspect-schema}: inbound json-schema (an object with an integer {@code id});</li>
 * <li>{@code /inspect-rate}: inbound rate-limit 5 messages/s (drop); {@code /inspect-rate-bytes}: 100 bytes/s (close).</li>
 * </ul>
 */
@Import(FrameInspectionTest.Hooks.class)
class FrameInspectionTest extends GatewayTest {

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void inspectionRoutes(DynamicPropertyRegistry registry) {
		String echoUri = "ws://127.0.0.1:" + echo.port();
		route(registry, 16, "inspect", echoUri, "/inspect/**", Map.of("inbound[0].type", "max-size",
				"inbound[0].size", "1KB", "inbound[1].type", "json", "inbound[2].type", "deny",
				"inbound[2].patterns", "(?i)drop\\s+table"));
		route(registry, 17, "inspect-out", echoUri, "/inspect-out/**", Map.of("outbound[0].type", "json",
				"outbound[0].action", "drop", "outbound[1].type", "deny", "outbound[1].patterns[0]", "secret",
				"outbound[1].code", "4001", "outbound[1].reason", "no secrets"));
		route(registry, 18, "inspect-bean", echoUri, "/inspect-bean/**",
				Map.of("inbound[0].type", "bean", "inbound[0].name", "stamp", "inbound[1].type", "bean",
						"inbound[1].name", "typed"));
		route(registry, 19, "inspect-async", echoUri, "/inspect-async/**",
				Map.of("inbound[0].type", "bean", "inbound[0].name", "slow", "async-timeout", "3s"));
		route(registry, 20, "inspect-timeout", echoUri, "/inspect-timeout/**",
				Map.of("inbound[0].type", "bean", "inbound[0].name", "never", "async-timeout", "300ms"));
		route(registry, 21, "inspect-timeout-pass", echoUri, "/inspect-timeout-pass/**", Map.of("inbound[0].type",
				"bean", "inbound[0].name", "never", "async-timeout", "300ms", "pass-on-timeout", "true"));
		route(registry, 22, "inspect-schema", echoUri, "/inspect-schema/**", Map.of("inbound[0].type", "json-schema",
				"inbound[0].schema", "{\"type\":\"object\",\"required\":[\"id\"],"
						+ "\"properties\":{\"id\":{\"type\":\"integer\"}}}"));
		route(registry, 23, "inspect-rate", echoUri, "/inspect-rate/**", Map.of("inbound[0].type", "rate-limit",
				"inbound[0].messages-per-second", "5"));
		route(registry, 24, "inspect-rate-bytes", echoUri, "/inspect-rate-bytes/**", Map.of("inbound[0].type",
				"rate-limit", "inbound[0].bytes-per-second", "100B", "inbound[0].action", "close"));
	}

	private static void route(DynamicPropertyRegistry registry, int index, String id, String uri, String path,
			Map<String, String> args) {
		String prefix = "spring.cloud.gateway.server.webflux.routes[" + index + "].";
		registry.add(prefix + "id", () -> id);
		registry.add(prefix + "uri", () -> uri);
		registry.add(prefix + "predicates[0]", () -> "Path=" + path);
		registry.add(prefix + "filters[0].name", () -> "FrameInspection");
		args.forEach((name, value) -> registry.add(prefix + "filters[0].args." + name, () -> value));
	}

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
			Thread.sleep(1200); // a second's worth of tokens again
			ws.sendText("last");
			int passed = 0;
			while (!ws.readFrame().text().equals("last")) {
				passed++;
			}
			assertThat(passed).as("messages through of 20 sent at once, burst 5").isBetween(5, 7);
			ws.sendClose(1000, "");
			ws.readUntilClose();
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

	private double decisions(String route, String hook, String decision) {
		var counter = this.meters.find(InspectionMetrics.DECISIONS)
			.tag("route", route)
			.tag("hook", hook)
			.tag("decision", decision)
			.counter();
		return (counter != null) ? counter.count() : 0;
	}

	/** User hooks, as Spring beans. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Hooks {

		/** Adds "via":"wsgate" to JSON objects. */
		@Bean
		FrameHook stamp() {
			return (context, message) -> {
				String text = message.text();
				if (message.isText() && text.startsWith("{") && text.endsWith("}")) {
					return MessageDecision
						.replace(WebSocketMessage.text(text.substring(0, text.length() - 1) + ",\"via\":\"wsgate\"}"));
				}
				return MessageDecision.pass();
			};
		}

		/** "to-binary:xyz" becomes the binary message xyz. */
		@Bean
		FrameHook typed() {
			return (context, message) -> message.isText() && message.text().startsWith("to-binary:")
					? MessageDecision.replace(WebSocketMessage
						.binary(message.text().substring(10).getBytes(StandardCharsets.UTF_8)))
					: MessageDecision.pass();
		}

		/** "wait:N..." passes after N milliseconds. */
		@Bean
		FrameHook slow() {
			return (context, message) -> {
				String text = message.text();
				if (!text.startsWith("wait:")) {
					return MessageDecision.pass();
				}
				long millis = Long.parseLong(text.substring(5).split(" ")[0]);
				return MessageDecision.later(CompletableFuture.supplyAsync(MessageDecision::pass,
						CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)));
			};
		}

		/** Never decides. */
		@Bean
		FrameHook never() {
			return (context, message) -> MessageDecision.later(new CompletableFuture<>());
		}

	}

}
