package io.wsgate.pools;

import java.net.URI;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.ServiceInstance;

import io.wsgate.proxy.ConnectionHook;
import io.wsgate.proxy.ProxiedConnection;

/**
 * One server of a {@link BackendPool}, as Spring Cloud LoadBalancer hands it out: a
 * {@link ServiceInstance} that also carries the server's health, its drained flag and its
 * active connections. It wraps the instance its pool's source listed (configuration today, a
 * discovery client tomorrow), whose metadata may carry {@value #WEIGHT} and {@value #KEEP_HOST}.
 */
public final class PoolServer implements ServiceInstance {

	/** Instance metadata: the server's weight for the {@code weighted} policy. */
	public static final String WEIGHT = "weight";

	/** Instance metadata: {@code true} to keep the client's Host header. */
	public static final String KEEP_HOST = "keep-host";

	private final String pool;

	private final ServiceInstance source;

	private final int weight;

	private final boolean keepHost;

	/** Stable across restarts and reordering: what hash policies hash. */
	private final long hashSeed;

	private final AtomicInteger active = new AtomicInteger();

	private final Set<ProxiedConnection> connections = ConcurrentHashMap.newKeySet();

	private volatile boolean drained;

	// health, guarded by this
	private boolean healthy = true;

	private int passesInRow;

	private int failuresInRow;

	private @Nullable ProbeResult lastProbe;

	PoolServer(String pool, ServiceInstance source) {
		this.pool = pool;
		this.source = source;
		this.weight = parseWeight(source.getMetadata().get(WEIGHT));
		this.keepHost = Boolean.parseBoolean(source.getMetadata().get(KEEP_HOST));
		this.hashSeed = Hashing.hash(source.getHost() + ":" + source.getPort());
	}

	private static int parseWeight(@Nullable String weight) {
		try {
			return (weight != null) ? Math.max(1, Integer.parseInt(weight.trim())) : 1;
		}
		catch (NumberFormatException ex) {
			return 1;
		}
	}

	// ---- ServiceInstance ----

	@Override
	public String getServiceId() {
		return this.pool;
	}

	@Override
	public String getInstanceId() {
		return this.source.getInstanceId();
	}

	@Override
	public String getHost() {
		return this.source.getHost();
	}

	@Override
	public int getPort() {
		return this.source.getPort();
	}

	@Override
	public boolean isSecure() {
		return this.source.isSecure();
	}

	@Override
	public URI getUri() {
		return this.source.getUri();
	}

	@Override
	public Map<String, String> getMetadata() {
		return this.source.getMetadata();
	}

	@Override
	public @Nullable String getScheme() {
		return this.source.getScheme();
	}

	// ---- the pool's view ----

	ServiceInstance source() {
		return this.source;
	}

	/** The server for logs and the actuator: scheme, host and port. */
	public String url() {
		String scheme = isSecure() ? "wss" : "ws";
		String host = getHost().contains(":") ? "[" + getHost() + "]" : getHost();
		return scheme + "://" + host + ":" + getPort();
	}

	public int weight() {
		return this.weight;
	}

	public boolean keepHost() {
		return this.keepHost;
	}

	long hashSeed() {
		return this.hashSeed;
	}

	/** Connections to this server, open or in their handshake. */
	public int activeConnections() {
		return this.active.get();
	}

	/** The open connections (a view). */
	Collection<ProxiedConnection> connections() {
		return Collections.unmodifiableSet(this.connections);
	}

	public boolean isDrained() {
		return this.drained;
	}

	void drained(boolean drained) {
		this.drained = drained;
	}

	public synchronized boolean isHealthy() {
		return this.healthy;
	}

	/** Healthy and not drained: new connections may go here. */
	public boolean inRotation() {
		return !this.drained && isHealthy();
	}

	synchronized @Nullable ProbeResult lastProbe() {
		return this.lastProbe;
	}

	synchronized int passesInRow() {
		return this.passesInRow;
	}

	synchronized int failuresInRow() {
		return this.failuresInRow;
	}

	/**
	 * Counts a probe's result against the thresholds.
	 * @return whether the server's health changed
	 */
	synchronized boolean record(ProbeResult result, int fails, int passes) {
		this.lastProbe = result;
		if (result.passed()) {
			this.failuresInRow = 0;
			this.passesInRow++;
			if (!this.healthy && this.passesInRow >= passes) {
				this.healthy = true;
				return true;
			}
		}
		else {
			this.passesInRow = 0;
			this.failuresInRow++;
			if (this.healthy && this.failuresInRow >= fails) {
				this.healthy = false;
				return true;
			}
		}
		return false;
	}

	/**
	 * A connection to this server is starting: it counts from now on, and the hook the proxy
	 * is given uncounts it once it ended (or never opened).
	 */
	ConnectionHook connectionStarting() {
		this.active.incrementAndGet();
		return new Lease();
	}

	@Override
	public String toString() {
		return this.pool + "/" + url();
	}

	/** One connection's place on this server. */
	private final class Lease implements ConnectionHook {

		private final AtomicBoolean ended = new AtomicBoolean();

		private volatile @Nullable ProxiedConnection connection;

		@Override
		public void opened(ProxiedConnection connection) {
			if (!this.ended.get()) {
				this.connection = connection;
				PoolServer.this.connections.add(connection);
			}
		}

		@Override
		public void ended() {
			if (this.ended.compareAndSet(false, true)) {
				ProxiedConnection connection = this.connection;
				if (connection != null) {
					PoolServer.this.connections.remove(connection);
				}
				PoolServer.this.active.decrementAndGet();
			}
		}

	}

}
