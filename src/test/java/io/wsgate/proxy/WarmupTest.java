package io.wsgate.proxy;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The start-up warm-up ({@code wsgate.warmup.*}), in a gateway process of its own: readiness
 * stays down while it runs and turns UP after it; its upgrades go the whole way (counted under
 * route {@value Warmup#ROUTE_ID}, kept out of the connection log); its route is gone afterwards;
 * and a route that refuses it stops it without keeping the gateway from becoming ready.
 */
class WarmupTest {

	private static final EchoBackend echo = new EchoBackend();

	private static final Pattern DONE = Pattern.compile("warm-up: (\\d+) upgrades \\((\\d+) failed\\) in (\\d+) ms");

	private GatewayProcess gateway;

	@AfterEach
	void stopGateway() throws InterruptedException {
		if (this.gateway != null) {
			this.gateway.close();
		}
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void readinessTurnsUpOnlyAfterTheWarmUpWhoseRouteIsThenGone() throws Exception {
		GatewayProcess gateway = this.gateway = GatewayProcess.start("--wsgate.warmup.enabled=true",
				"--wsgate.warmup.duration=4s", "--wsgate.warmup.upgrades=1000000",
				"--spring.cloud.gateway.server.webflux.routes[0].id=echo",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=ws://127.0.0.1:" + echo.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/echo/**");
		int port = gateway.port();
		Management anonymous = Management.anonymous(port);

		// the listener is up (it has to be: the warm-up goes through it), readiness is not
		assertThat(anonymous.get("/actuator/health/readiness").statusCode()).isEqualTo(503);
		assertThat(gateway.output()).doesNotContain("warm-up:");

		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> anonymous.get("/actuator/health/readiness").statusCode() == 200);
		Matcher done = DONE.matcher(gateway.output());
		assertThat(done.find()).as("the warm-up's line in:\n%s", gateway.output()).isTrue();
		int upgrades = Integer.parseInt(done.group(1));
		assertThat(upgrades).isPositive();
		assertThat(Integer.parseInt(done.group(2))).isZero();
		// bounded by its duration (plus the last connections' close)
		assertThat(Long.parseLong(done.group(3))).isBetween(3_500L, 15_000L);

		Management admin = Management.as(port, "user", "process-test-password");
		JsonNode counted = admin.getJson("/actuator/metrics/wsgate.connections?tag=routeId:" + Warmup.ROUTE_ID
				+ "&tag=outcome:upgraded");
		assertThat(counted.get("measurements").get(0).get("value").asInt()).isEqualTo(upgrades);
		assertThat(admin.get("/actuator/gateway/routes").body()).contains("\"echo\"").doesNotContain(Warmup.ROUTE_ID);

		// a client's connection is in the connection log, none of the warm-up's is
		try (RawWebSocket ws = RawWebSocket.connect(port, "/echo/after")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> gateway.output().contains("closed id="));
		assertThat(gateway.output()).contains("route=echo").doesNotContain("route=" + Warmup.ROUTE_ID);
	}

	@Test
	void aRouteThatFailsTheWarmUpStopsItAndTheGatewayBecomesReadyAnyway() throws Exception {
		// every route, the warm-up's too, takes messages of 8 bytes at most: its 14-byte one gets 1009
		GatewayProcess gateway = this.gateway = GatewayProcess.start("--wsgate.warmup.enabled=true",
				"--wsgate.warmup.duration=60s",
				"--spring.cloud.gateway.server.webflux.default-filters[0]=MaxMessageSize=8B");
		int port = gateway.port();

		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> Management.anonymous(port).get("/actuator/health/readiness").statusCode() == 200);
		assertThat(gateway.output()).contains("warm-up stopped after")
			.contains(": 0 upgrades, ")
			.contains("last failure: closed before the message came back");
	}

}
