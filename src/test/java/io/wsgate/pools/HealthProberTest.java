package io.wsgate.pools;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;

import io.wsgate.support.Ports;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP and WebSocket probes against real servers: what passes, what fails, and the
 * reason an operator reads.
 */
class HealthProberTest {

	private static final PoolBackend backend = new PoolBackend("a");

	private final HealthProber prober = new HealthProber();

	@AfterAll
	static void stop() {
		backend.close();
	}

	@Test
	void httpProbePassesOnAStatusInTheDefaultRange() {
		backend.healthStatus = 302;
		ProbeResult result = probe(backend.port(), check(http()));
		backend.healthStatus = 200;
		assertThat(result.passed()).as(result.failure()).isTrue();
		assertThat(result.failure()).isNull();
		assertThat(result.latency()).isPositive();
	}

	@Test
	void httpProbeFailsOnAStatusOutsideTheRanges() {
		PoolProperties.HttpProbe http = http();
		http.setStatusCodes(List.of("200-204", "418"));
		backend.healthStatus = 503;
		ProbeResult refused = probe(backend.port(), check(http));
		backend.healthStatus = 418;
		ProbeResult teapot = probe(backend.port(), check(http));
		backend.healthStatus = 200;
		assertThat(refused.passed()).isFalse();
		assertThat(refused.failure()).isEqualTo("http: status 503 not in 200-204,418");
		assertThat(teapot.passed()).isTrue();
	}

	@Test
	void httpProbeMatchesAHeaderExactly() {
		PoolProperties.HttpProbe http = http();
		http.setMatchHeaders(Map.of("X-Status", exact("ready")));
		backend.healthHeaders = Map.of("X-Status", "ready");
		ProbeResult ready = probe(backend.port(), check(http));
		backend.healthHeaders = Map.of("X-Status", "ready-ish");
		ProbeResult almost = probe(backend.port(), check(http));
		backend.healthHeaders = Map.of();
		ProbeResult missing = probe(backend.port(), check(http));
		assertThat(ready.passed()).as(ready.failure()).isTrue();
		assertThat(almost.failure()).isEqualTo("http: header X-Status does not match the expected value");
		assertThat(missing.failure()).isEqualTo("http: header X-Status missing");
	}

	@Test
	void httpProbeMatchesAHeaderByRegexp() {
		PoolProperties.HttpProbe http = http();
		PoolProperties.HeaderMatch version = new PoolProperties.HeaderMatch();
		version.setRegexp("^v2\\.[0-9]+$");
		http.setMatchHeaders(Map.of("X-Version", version));
		backend.healthHeaders = Map.of("X-Version", "v2.17");
		ProbeResult current = probe(backend.port(), check(http));
		backend.healthHeaders = Map.of("X-Version", "v1.9");
		ProbeResult old = probe(backend.port(), check(http));
		backend.healthHeaders = Map.of();
		assertThat(current.passed()).as(current.failure()).isTrue();
		assertThat(old.failure()).isEqualTo("http: header X-Version does not match /^v2\\.[0-9]+$/");
	}

	@Test
	void httpProbeMatchesTheBody() {
		PoolProperties.HttpProbe contains = http();
		PoolProperties.BodyMatch up = new PoolProperties.BodyMatch();
		up.setContains("\"status\":\"UP\"");
		contains.setMatchBody(up);
		PoolProperties.HttpProbe regexp = http();
		PoolProperties.BodyMatch pattern = new PoolProperties.BodyMatch();
		pattern.setRegexp("\"connections\":[0-9]{1,3}[,}]");
		regexp.setMatchBody(pattern);

		backend.healthBody = "{\"status\":\"UP\",\"connections\":12}";
		ProbeResult upContains = probe(backend.port(), check(contains));
		ProbeResult upMatches = probe(backend.port(), check(regexp));
		backend.healthBody = "{\"status\":\"DOWN\",\"connections\":12345}";
		ProbeResult downContains = probe(backend.port(), check(contains));
		ProbeResult downMatches = probe(backend.port(), check(regexp));
		backend.healthBody = "ok";

		assertThat(upContains.passed()).as(upContains.failure()).isTrue();
		assertThat(upMatches.passed()).as(upMatches.failure()).isTrue();
		assertThat(downContains.failure()).isEqualTo("http: body does not contain the expected text");
		assertThat(downMatches.failure()).startsWith("http: body does not match /");
	}

	@Test
	void httpProbeSendsTheConfiguredMethodAndHeaders() {
		PoolProperties.HttpProbe http = http();
		http.setMethod("HEAD");
		http.setHeaders(Map.of("X-Probe", "wsgate"));
		int before = backend.healthRequests.get();
		assertThat(probe(backend.port(), check(http)).passed()).isTrue();
		assertThat(backend.healthRequests.get()).isEqualTo(before + 1);
	}

	@Test
	void aHangingServerCostsOnlyTheTimeout() {
		backend.hangHealth = true;
		long start = System.nanoTime();
		PoolProperties.HealthCheck check = check(http());
		check.setTimeout(Duration.ofMillis(300));
		ProbeResult result = probe(backend.port(), check);
		long tookMillis = (System.nanoTime() - start) / 1_000_000;
		backend.hangHealth = false;
		assertThat(result.passed()).isFalse();
		assertThat(result.failure()).isEqualTo("http: no answer within 300ms");
		assertThat(tookMillis).as("the probe gave up at its timeout").isLessThan(5_000);
	}

	@Test
	void aClosedPortFailsAsRefused() {
		ProbeResult result = probe(Ports.unused(), check(http()));
		assertThat(result.passed()).isFalse();
		assertThat(result.failure()).isEqualTo("http: connection refused");
	}

	@Test
	void wsProbeUpgradesAndClosesWith1000AtOnce() throws InterruptedException {
		int before = backend.probeCloses.size();
		ProbeResult result = probe(backend.port(), check(ws()));
		assertThat(result.passed()).as(result.failure()).isTrue();
		for (int i = 0; i < 200 && backend.probeCloses.size() == before; i++) {
			Thread.sleep(10);
		}
		assertThat(backend.probeCloses).hasSize(before + 1);
		assertThat(backend.probeCloses.get(before).code()).isEqualTo(1000);
		assertThat(backend.probeCloses.get(before).reasonText()).isEqualTo(HealthProber.CLOSE_REASON);
	}

	@Test
	void wsProbeFailsAgainstABackendThatRefusesUpgrades() {
		backend.refuseUpgrades = 403;
		ProbeResult result = probe(backend.port(), check(ws()));
		backend.refuseUpgrades = 0;
		assertThat(result.passed()).isFalse();
		assertThat(result.failure()).isEqualTo("ws: upgrade refused with status 403");
	}

	@Test
	void wsProbeMatchesTheUpgradeHeaders() {
		PoolProperties.WsProbe matching = ws();
		matching.setMatchHeaders(Map.of("X-Probe", exact("yes")));
		PoolProperties.WsProbe other = ws();
		other.setMatchHeaders(Map.of("X-Probe", exact("no")));
		assertThat(probe(backend.port(), check(matching)).passed()).isTrue();
		assertThat(probe(backend.port(), check(other)).failure())
			.isEqualTo("ws: header X-Probe does not match the expected value");
	}

	@Test
	void withBothProbesAServerMustPassBoth() {
		PoolProperties.HealthCheck both = check(http());
		both.setWs(ws());
		ProbeResult healthy = probe(backend.port(), both);
		backend.refuseUpgrades = 503;
		ProbeResult wsDown = probe(backend.port(), both);
		backend.refuseUpgrades = 0;
		backend.healthStatus = 500;
		ProbeResult httpDown = probe(backend.port(), both);
		backend.healthStatus = 200;
		assertThat(healthy.passed()).as(healthy.failure()).isTrue();
		assertThat(wsDown.failure()).isEqualTo("ws: upgrade refused with status 503");
		assertThat(httpDown.failure()).isEqualTo("http: status 500 not in 200-399");
	}

	@Test
	void probesUseTheirOwnPort() {
		PoolProperties.HttpProbe http = http();
		http.setPort(backend.port());
		// the server's own port is closed; the probe goes to the port it names
		assertThat(probe(Ports.unused(), check(http)).passed()).isTrue();
	}

	@Test
	void probesLeaveNoConnectionOpen() throws InterruptedException {
		PoolProperties.HealthCheck both = check(http());
		both.setWs(ws());
		both.setTimeout(Duration.ofMillis(300));
		for (int i = 0; i < 5; i++) {
			assertThat(probe(backend.port(), both).passed()).isTrue();
		}
		backend.hangHealth = true;
		assertThat(probe(backend.port(), both).passed()).isFalse();
		backend.hangHealth = false;
		for (int i = 0; i < 200 && backend.openConnections() > 0; i++) {
			Thread.sleep(10);
		}
		assertThat(backend.openConnections()).isZero();
	}

	private ProbeResult probe(int port, PoolProperties.HealthCheck check) {
		PoolServer server = new PoolServer("test",
				new DefaultServiceInstance("test-0", "test", "127.0.0.1", port, false, Map.of()));
		return this.prober.probe(server, HealthCheckPlan.of(check)).block(Duration.ofSeconds(10));
	}

	private static PoolProperties.HealthCheck check(PoolProperties.HttpProbe http) {
		PoolProperties.HealthCheck check = new PoolProperties.HealthCheck();
		check.setTimeout(Duration.ofSeconds(2));
		check.setHttp(http);
		return check;
	}

	private static PoolProperties.HealthCheck check(PoolProperties.WsProbe ws) {
		PoolProperties.HealthCheck check = new PoolProperties.HealthCheck();
		check.setTimeout(Duration.ofSeconds(2));
		check.setWs(ws);
		return check;
	}

	private static PoolProperties.HttpProbe http() {
		PoolProperties.HttpProbe http = new PoolProperties.HttpProbe();
		http.setUri("/health");
		return http;
	}

	private static PoolProperties.WsProbe ws() {
		PoolProperties.WsProbe ws = new PoolProperties.WsProbe();
		ws.setUri("/probe");
		return ws;
	}

	private static PoolProperties.HeaderMatch exact(String value) {
		PoolProperties.HeaderMatch match = new PoolProperties.HeaderMatch();
		match.setExact(value);
		return match;
	}

}
