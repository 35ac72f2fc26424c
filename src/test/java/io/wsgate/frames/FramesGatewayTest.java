package io.wsgate.frames;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.proxy.MeterTags;
import io.wsgate.metrics.InspectionMetrics;
import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.Routes;

/**
 * The gateway of {@link GatewayTest} plus routes with {@code FrameInspection} in front of the echo
 * backend (which echoes what reaches it, so an
 * echo proves the message went through both chains):
 * <ul>
 * <li>{@code /inspect}: inbound max-size 1KB, json, deny {@code (?i)drop\s+table};</li>
 * <li>{@code /inspect-out}: outbound json (drop), deny {@code secret} (close 4001 "no secrets");</li>
 * <li>{@code /inspect-bean}: inbound bean {@code stamp} (adds "via" to JSON objects) and bean
 * {@code typed} ("to-binary:" texts become binary messages);</li>
 * <li>{@code /inspect-async}: inbound bean {@code slow} (decides after the delay the message names), timeout 3s;</li>
 * <li>{@code /inspect-timeout}, {@code /inspect-timeout-pass}: bean {@code never}, timeout 300ms, close / pass;</li>
 * <li>{@code /inspect-schema}: inbound json-schema (an object with an integer {@code id});</li>
 * <li>{@code /inspect-rate}: inbound rate-limit 5 messages/s (drop); {@code /inspect-rate-bytes}: 100 bytes/s (close);</li>
 * <li>{@code /capture}: {@code FrameCapture} keeping 50 frames, 20 per connection, 32-byte previews;</li>
 * <li>{@code /capture-wide}: {@code FrameCapture} with 256-byte previews;</li>
 * <li>{@code /capture-auth}: {@code FrameCapture} with 256-byte previews, then {@code WebSocketAuth} by the
 * API key {@link #API_KEY} in header {@code X-Ident} or query parameter {@code ticket};</li>
 * <li>{@code /inspect-principal}: {@code WebSocketAuth} (HMAC {@link #JWT_SECRET}), then inbound bean
 * {@code stampSubject}, the README's example hook.</li>
 * </ul>
 * The management user is {@code admin} / {@code admin-password}.
 */
@Import(FramesGatewayTest.Hooks.class)
abstract class FramesGatewayTest extends GatewayTest {


	static final String JWT_SECRET = "a-secret-for-the-principal-route-of-32-bytes-or-more";

	static final String ADMIN = "admin";

	/** The API key of {@code /capture-auth}, and its SHA-256. */
	static final String API_KEY = "k3y-s3cr3t";

	static final String API_KEY_HASH = "72806e8c31cca85618b2b5e1648dd209ff60161894082cf51c441d126b11b37c";

	static final String ADMIN_PASSWORD = "admin-password";

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
		Routes.route(registry, 25, "capture", echoUri, "/capture/**");
		Routes.filter(registry, 25, 0, "FrameCapture",
				Map.of("max-frames", "50", "max-frames-per-connection", "20", "preview-bytes", "32"));
		Routes.route(registry, 26, "inspect-principal", echoUri, "/inspect-principal/**");
		Routes.filter(registry, 26, 0, "WebSocketAuth", Map.of("jwt.secret", JWT_SECRET));
		Routes.filter(registry, 26, 1, "FrameInspection",
				Map.of("inbound[0].type", "bean", "inbound[0].name", "stampSubject"));
		Routes.route(registry, 27, "capture-wide", echoUri, "/capture-wide/**");
		Routes.filter(registry, 27, 0, "FrameCapture", Map.of("preview-bytes", "256"));
		Routes.route(registry, 28, "capture-auth", echoUri, "/capture-auth/**");
		Routes.filter(registry, 28, 0, "FrameCapture", Map.of("preview-bytes", "256"));
		Routes.filter(registry, 28, 1, "WebSocketAuth", Map.of("api-keys.keys[0].id", "carol", "api-keys.keys[0].hash",
				API_KEY_HASH, "api-keys.header", "X-Ident", "api-keys.query-param", "ticket"));
		registry.add("spring.security.user.name", () -> ADMIN);
		registry.add("spring.security.user.password", () -> ADMIN_PASSWORD);
	}

	private static void route(DynamicPropertyRegistry registry, int index, String id, String uri, String path,
			Map<String, String> args) {
		Routes.route(registry, index, id, uri, path);
		Routes.filter(registry, index, 0, "FrameInspection", args);
	}

	double decisions(String route, String hook, String decision) {
		var counter = this.meters.find(InspectionMetrics.DECISIONS)
			.tag(MeterTags.ROUTE, route)
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

		/** The README's example: the principal's name as "sender" in every inbound JSON object. */
		@Bean
		FrameHook stampSubject(JsonMapper json) {
			return (context, message) -> {
				if (!message.isText() || context.principal() == null) {
					return MessageDecision.pass();
				}
				ObjectNode node = (ObjectNode) json.readTree(message.payloadStream());
				node.put("sender", context.principal().getName());
				return MessageDecision.replace(WebSocketMessage.text(json.writeValueAsString(node)));
			};
		}

		/** Never decides. */
		@Bean
		FrameHook never() {
			return (context, message) -> MessageDecision.later(new CompletableFuture<>());
		}

	}

}
