package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With Spring Boot's structured logging ({@code logging.structured.format.console=ecs}), the
 * connection log's route, id, code and cause are fields of their own (under {@code wsgate}), not
 * only words in the message; and Spring Cloud Gateway's start-up list of predicate factories
 * is not logged.
 */
class StructuredLogTest {

	private static final EchoBackend echo = new EchoBackend();

	private static final JsonMapper json = JsonMapper.builder().build();

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void connectionLinesCarryTheirFieldsInEcsOutput() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.start("--logging.structured.format.console=ecs",
				"--spring.cloud.gateway.server.webflux.routes[0].id=logged",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=ws://127.0.0.1:" + echo.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/logged/**",
				"--spring.cloud.gateway.server.webflux.routes[0].filters[0]=MaxMessageSize=8B")) {
			int port = gateway.port();
			try (RawWebSocket ws = RawWebSocket.connect(port, "/logged/a", Map.of())) {
				assertThat(ws.status()).isEqualTo(101);
				ws.sendText("more than eight bytes");
				assertThat(ws.readUntilClose().closeCode()).isEqualTo(1009);
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> line(gateway, "closed ") != null);

			JsonNode opened = line(gateway, "opened ");
			assertThat(opened.at("/log/level").asString()).isEqualTo("INFO");
			String id = opened.at("/wsgate/id").asString();
			assertThat(id).isNotEmpty();
			assertThat(opened.at("/wsgate/route").asString()).isEqualTo("logged");
			assertThat(opened.at("/wsgate/backend").asString()).isEqualTo("ws://127.0.0.1:" + echo.port() + "/logged/a");
			assertThat(opened.at("/wsgate/principal").isMissingNode()).as("absent values are no fields").isTrue();
			assertThat(opened.get("message").asString()).contains("opened id=" + id + " route=logged");

			JsonNode violation = line(gateway, "violation ");
			assertThat(violation.at("/wsgate/id").asString()).isEqualTo(id);
			assertThat(violation.at("/wsgate/code").asInt()).isEqualTo(1009);
			assertThat(violation.at("/wsgate/side").asString()).isEqualTo("client");
			assertThat(violation.at("/wsgate/age_ms").isNumber()).isTrue();

			JsonNode closed = line(gateway, "closed ");
			assertThat(closed.at("/wsgate/route").asString()).isEqualTo("logged");
			assertThat(closed.at("/wsgate/code").asInt()).isEqualTo(1009);
			assertThat(closed.at("/wsgate/initiator").asString()).isEqualTo("gateway");
			assertThat(closed.at("/wsgate/in_frames").asLong()).isPositive();
			// the payload is never logged, as text or field
			assertThat(gateway.output()).doesNotContain("more than eight bytes");
			assertThat(gateway.output()).doesNotContain("Loaded RoutePredicateFactory");
		}
	}

	/** The first ECS line whose message starts with this, or null. */
	private static JsonNode line(GatewayProcess gateway, String start) throws InterruptedException {
		List<String> lines = gateway.output().lines().filter(line -> line.startsWith("{")).toList();
		for (String line : lines) {
			JsonNode node = json.readTree(line);
			if (node.path("message").asString("").startsWith(start)) {
				return node;
			}
		}
		return null;
	}

}
