package io.wsgate.pools;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** What the actuator shows of pools: plain records that serialize as JSON. */
final class PoolViews {

	private PoolViews() {
	}

	/** {@code GET /actuator/wsbackends}. */
	record Pools(Map<String, Pool> pools) {

		static Pools of(BackendPools pools) {
			Map<String, Pool> views = new LinkedHashMap<>();
			pools.pools().forEach(pool -> views.put(pool.name(), Pool.of(pool)));
			return new Pools(views);
		}

	}

	record Pool(String name, String policy, @Nullable HealthCheck healthCheck, int inRotation, List<Server> servers) {

		static Pool of(BackendPool pool) {
			HealthCheckPlan plan = pool.healthCheck();
			List<Server> servers = new ArrayList<>();
			List<PoolServer> all = pool.servers();
			for (int i = 0; i < all.size(); i++) {
				servers.add(Server.of(i, all.get(i)));
			}
			return new Pool(pool.name(), pool.policy().id(), (plan != null) ? HealthCheck.of(plan) : null,
					pool.available().size(), servers);
		}

	}

	record HealthCheck(String interval, String timeout, int fails, int passes, List<String> probes) {

		static HealthCheck of(HealthCheckPlan plan) {
			return new HealthCheck(plan.interval().toString(), plan.timeout().toString(), plan.fails(), plan.passes(),
					plan.probes());
		}

	}

	/**
	 * One server. {@code state} is {@code healthy}, {@code unhealthy} (out of rotation by its
	 * probes) or {@code drained} (out of rotation by an operator).
	 */
	record Server(int index, String url, int weight, boolean keepHost, String state, boolean healthy,
			boolean inRotation, int activeConnections, int failuresInRow, int passesInRow,
			@Nullable Probe lastProbe) {

		static Server of(int index, PoolServer server) {
			boolean healthy = server.isHealthy();
			String state = server.isDrained() ? "drained" : (healthy ? "healthy" : "unhealthy");
			ProbeResult last = server.lastProbe();
			return new Server(index, server.url(), server.weight(), server.keepHost(), state, healthy,
					server.inRotation(), server.activeConnections(), server.failuresInRow(), server.passesInRow(),
					(last != null) ? Probe.of(last) : null);
		}

	}

	/** The last probe: when, {@code passed} or {@code failed}, how long it took, and why it failed. */
	record Probe(String time, String result, double latencyMs, @Nullable String failure) {

		static Probe of(ProbeResult result) {
			return new Probe(result.time().toString(), result.passed() ? "passed" : "failed",
					Math.round(result.latency().toNanos() / 10_000.0) / 100.0, result.failure());
		}

	}

}
