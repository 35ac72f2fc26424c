package io.wsgate.metrics;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Frame;
import io.wsgate.support.Management;
import io.wsgate.support.Ports;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * wsgate's meters as Prometheus scrapes them, after traffic whose every frame the test knows:
 * frames by type and direction, bytes, closes by code and initiator, upgrades by outcome and
 * handshake time, open connections per route.
 */
class ConnectionMetricsTest extends AdminGatewayTest {

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");

	@Test
	void knownTrafficIsCountedByTypeDirectionAndClose() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/metered", route(echoUri(), "/metered/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/metered/x")).isTrue();
		Map<String, Double> before = scrape();

		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/metered/x")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("a").sendText("bb").sendText("ccc");
			ws.send(true, Frame.BINARY, new byte[4]).send(true, Frame.BINARY, new byte[4]);
			ws.send(true, Frame.PING, new byte[] { 'p' });
			for (int i = 0; i < 6; i++) {
				ws.readFrame(); // 3 texts, 2 binaries, 1 pong
			}
			Map<String, Double> open = scrape();
			assertThat(delta(before, open, "wsgate_frames_total", "routeId=metered", "direction=inbound", "type=text"))
				.as("open connections count before they close")
				.isEqualTo(3);
			assertThat(value(open, "wsgate_connections_active", "routeId=metered")).isEqualTo(1);
			assertThat(value(open, "wsgate_connections_open_seconds_count", "routeId=metered")).isEqualTo(1);
			assertThat(value(open, "wsgate_connections_open_seconds_sum", "routeId=metered")).isPositive();

			ws.sendClose(1000, "done");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
		assertThat(Management.eventually(Duration.ofSeconds(5), () -> this.registry.size() == 0)).isTrue();
		Map<String, Double> after = scrape();

		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=inbound", "type=text"))
			.isEqualTo(3);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=inbound", "type=binary"))
			.isEqualTo(2);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=inbound", "type=ping"))
			.isEqualTo(1);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=inbound", "type=close"))
			.isEqualTo(1);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=outbound", "type=text"))
			.isEqualTo(3);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=outbound", "type=binary"))
			.isEqualTo(2);
		assertThat(delta(before, after, "wsgate_frames_total", "routeId=metered", "direction=outbound", "type=pong"))
			.isEqualTo(1);
		// client frames: 2 header bytes and a 4-byte mask each; text 1+2+3, binary 4+4, ping 1, close 2+4
		assertThat(delta(before, after, "wsgate_bytes_total", "routeId=metered", "direction=inbound"))
			.isEqualTo(6 * 7 + 6 + 8 + 1 + 6);
		assertThat(delta(before, after, "wsgate_bytes_total", "routeId=metered", "direction=outbound"))
			.isGreaterThanOrEqualTo(2 * 7 + 6 + 8 + 1 + 2);
		assertThat(delta(before, after, "wsgate_closes_total", "routeId=metered", "code=1000", "initiator=client"))
			.isEqualTo(1);
		assertThat(delta(before, after, "wsgate_connections_total", "routeId=metered", "outcome=upgraded")).isEqualTo(1);
		assertThat(value(after, "wsgate_connections_open_seconds_count", "routeId=metered")).isZero();
		assertThat(delta(before, after, "wsgate_handshake_duration_seconds_count", "routeId=metered", "status=101"))
			.isEqualTo(1);
		assertThat(value(after, "wsgate_handshake_duration_seconds_bucket", "routeId=metered", "status=101", "le=10.0"))
			.as("the SLO buckets of application.yml")
			.isGreaterThanOrEqualTo(1);
		assertThat(value(after, "wsgate_connections_active", "routeId=metered")).isZero();
	}

	@Test
	void failedUpgradesAreCountedWithTheirStatus() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/metered-down",
				route("ws://127.0.0.1:" + Ports.unused(), "/metered-down/**"))
			.statusCode()).isEqualTo(201);
		assertThat(Management.eventually(Duration.ofSeconds(3), () -> status("/metered-down/x") == 502)).isTrue();
		Map<String, Double> before = scrape();
		assertThat(status("/metered-down/x")).isEqualTo(502);
		Map<String, Double> after = scrape();
		assertThat(delta(before, after, "wsgate_connections_total", "routeId=metered-down", "outcome=failed"))
			.isEqualTo(1);
		assertThat(delta(before, after, "wsgate_handshake_duration_seconds_count", "routeId=metered-down", "status=502"))
			.isEqualTo(1);
	}

	@Test
	void applicationCloseCodesAreGroupedUnlessTheRouteAsksAndADeletedRoutesSeriesGo() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/grouped", route(echoUri(), "/grouped/**")).statusCode())
			.isEqualTo(201);
		assertThat(admin().post("/actuator/gateway/routes/exact", "{\"uri\":\"" + echoUri()
				+ "\",\"predicates\":[\"Path=/exact/**\"],\"metadata\":{\"exact-close-codes\":true}}")
			.statusCode()).isEqualTo(201);
		assertThat(upgrades("/grouped/x")).isTrue();
		assertThat(upgrades("/exact/x")).isTrue();
		Map<String, Double> before = scrape();
		for (String path : new String[] { "/grouped/x", "/exact/x" }) {
			try (RawWebSocket ws = RawWebSocket.connect(this.port, path)) {
				ws.sendText("close:4321:test");
				assertThat(ws.readUntilClose().closeCode()).isEqualTo(4321);
				ws.sendClose(4321, "test");
			}
		}
		assertThat(Management.eventually(Duration.ofSeconds(5), () -> this.registry.size() == 0)).isTrue();
		Map<String, Double> after = scrape();
		assertThat(delta(before, after, "wsgate_closes_total", "routeId=grouped", "code=4xxx", "initiator=backend"))
			.isEqualTo(1);
		assertThat(value(after, "wsgate_closes_total", "routeId=grouped", "code=4321")).isZero();
		assertThat(delta(before, after, "wsgate_closes_total", "routeId=exact", "code=4321", "initiator=backend"))
			.isEqualTo(1);

		assertThat(value(after, "wsgate_connections_active", "routeId=grouped")).isZero();
		assertThat(after.keySet().stream().filter(key -> key.contains("routeId=grouped")).count())
			.as("the route's series before it is deleted")
			.isGreaterThan(10);
		assertThat(admin().delete("/actuator/gateway/routes/grouped").statusCode()).isEqualTo(200);
		assertThat(Management.eventually(Duration.ofSeconds(5), () -> {
			try {
				return scrape().keySet().stream().noneMatch(key -> key.contains("routeId=grouped"));
			}
			catch (Exception ex) {
				return false;
			}
		})).as("no series of the deleted route").isTrue();
		assertThat(scrape().keySet().stream().anyMatch(key -> key.contains("routeId=exact"))).isTrue();
		assertThat(admin().delete("/actuator/gateway/routes/exact").statusCode()).isEqualTo(200);
	}

	/** Every sample of the scrape, keyed {@code name{label=value,...}} with labels in Prometheus' order. */
	private Map<String, Double> scrape() throws Exception {
		var response = viewer().get("/actuator/prometheus");
		assertThat(response.statusCode()).isEqualTo(200);
		Map<String, Double> samples = new LinkedHashMap<>();
		for (String line : response.body().split("\n")) {
			Matcher matcher = SAMPLE.matcher(line);
			if (!line.startsWith("#") && matcher.matches()) {
				String labels = (matcher.group(3) != null) ? matcher.group(3).replace("\"", "") : "";
				samples.put(matcher.group(1) + "{" + labels + "}", Double.parseDouble(matcher.group(4)));
			}
		}
		return samples;
	}

	private static double delta(Map<String, Double> before, Map<String, Double> after, String name,
			String... labels) {
		return value(after, name, labels) - value(before, name, labels);
	}

	/** The sample of {@code name} whose labels include all of {@code labels}; 0 if there is none. */
	private static double value(Map<String, Double> samples, String name, String... labels) {
		return samples.entrySet()
			.stream()
			.filter(entry -> entry.getKey().startsWith(name + "{"))
			.filter(entry -> Arrays.stream(labels)
				.allMatch(label -> Arrays.asList(entry.getKey()
					.substring(name.length() + 1, entry.getKey().length() - 1)
					.split(",")).contains(label)))
			.mapToDouble(Map.Entry::getValue)
			.reduce((a, b) -> {
				throw new AssertionError("more than one sample of " + name + " " + Arrays.toString(labels));
			})
			.orElse(0);
	}

}
