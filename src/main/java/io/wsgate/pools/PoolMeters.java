package io.wsgate.pools;

import java.util.List;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The {@code wsgate.pool.servers} gauges: how many of each pool's servers are in each state,
 * the states the {@code wsBackends} health component shows. {@code healthy} servers are the
 * ones in rotation; {@code unhealthy} ones are out by their health check, {@code drained} ones by
 * an operator ({@code wsbackends}). A pool with no {@code healthy} server refuses every upgrade.
 */
final class PoolMeters {

	static final String SERVERS = "wsgate.pool.servers";

	static final String HEALTHY = "healthy";

	static final String UNHEALTHY = "unhealthy";

	static final String DRAINED = "drained";

	private PoolMeters() {
	}

	/** One gauge per pool and state; pools are fixed at startup, and so are their gauges. */
	static void register(BackendPools pools, MeterRegistry registry) {
		for (BackendPool pool : pools.pools()) {
			for (String state : List.of(HEALTHY, UNHEALTHY, DRAINED)) {
				Gauge.builder(SERVERS, pool, counted -> count(counted, state))
					.description("Servers of a backend pool in a state (healthy: in rotation)")
					.tag("pool", pool.name())
					.tag("state", state)
					.strongReference(true)
					.register(registry);
			}
		}
	}

	/** A server's state: drained first (an operator's choice outlasts its health), then its health. */
	static String state(PoolServer server) {
		if (server.isDrained()) {
			return DRAINED;
		}
		return server.isHealthy() ? HEALTHY : UNHEALTHY;
	}

	private static double count(BackendPool pool, String state) {
		return pool.servers().stream().filter(server -> state(server).equals(state)).count();
	}

}
