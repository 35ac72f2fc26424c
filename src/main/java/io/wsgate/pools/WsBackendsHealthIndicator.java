package io.wsgate.pools;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code wsBackends} health component: UP when every pool has a server in rotation, DOWN
 * otherwise. Its details (each pool's servers and their states) follow
 * {@code management.endpoint.health.show-details}, which wsgate sets to show them to
 * authenticated users only.
 */
final class WsBackendsHealthIndicator implements HealthIndicator {

	private final BackendPools pools;

	WsBackendsHealthIndicator(BackendPools pools) {
		this.pools = pools;
	}

	@Override
	public Health health() {
		boolean up = true;
		Map<String, Object> details = new LinkedHashMap<>();
		for (BackendPool pool : this.pools.pools()) {
			int inRotation = pool.available().size();
			up &= inRotation > 0;
			Map<String, String> servers = new LinkedHashMap<>();
			for (PoolServer server : pool.servers()) {
				servers.put(server.url(), PoolMeters.state(server));
			}
			details.put(pool.name(), Map.of("status", (inRotation > 0) ? "UP" : "DOWN", "inRotation", inRotation,
					"servers", servers));
		}
		return (up ? Health.up() : Health.down()).withDetails(details).build();
	}

}
