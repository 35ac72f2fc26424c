package io.wsgate.pools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;

import io.wsgate.proxy.ProxiedConnection;

/**
 * One backend pool: its servers, the policy that picks one for each new connection among those
 * in rotation (healthy and not drained), and the health check that moves servers out of and
 * back into rotation.
 *
 * <p>The servers come from a Spring Cloud LoadBalancer {@link ServiceInstanceListSupplier}: the
 * configured list today; a discovery client's (Kubernetes endpoints, Consul, ...) could feed the
 * same pool, and each list it emits is merged in, keeping the state of servers that stay.
 */
public final class BackendPool {

	/** Cause, code and reason of the closes a drain with {@code close=true} sends. */
	static final String DRAIN_CAUSE = "drained";

	static final String DRAIN_REASON = "backend server drained";

	private static final Logger log = LoggerFactory.getLogger(BackendPool.class);

	private final String name;

	private final PoolProperties.Policy policyName;

	private final LoadBalancePolicy policy;

	private final @Nullable HealthCheckPlan check;

	private final ServiceInstanceListSupplier source;

	private volatile List<PoolServer> servers = List.of();

	/** Healthy and not drained; replaced whole on every change (policies key caches on it). */
	private volatile List<PoolServer> available = List.of();

	private @Nullable Disposable sourceSubscription;

	private @Nullable Disposable probing;

	BackendPool(String name, PoolProperties.LoadBalance loadBalance, @Nullable HealthCheckPlan check,
			ServiceInstanceListSupplier source) {
		this.name = name;
		this.policyName = loadBalance.getPolicy();
		this.policy = LoadBalancePolicy.of(loadBalance);
		this.check = check;
		this.source = source;
	}

	public String name() {
		return this.name;
	}

	public PoolProperties.Policy policy() {
		return this.policyName;
	}

	@Nullable HealthCheckPlan healthCheck() {
		return this.check;
	}

	/** Every server, in the source's order. */
	public List<PoolServer> servers() {
		return this.servers;
	}

	/** The servers new connections may go to now. */
	public List<PoolServer> available() {
		return this.available;
	}

	public Optional<PoolServer> server(int index) {
		List<PoolServer> all = this.servers;
		return (index >= 0 && index < all.size()) ? Optional.of(all.get(index)) : Optional.empty();
	}

	/** The server for a new connection, or null when none is in rotation. */
	@Nullable PoolServer choose(LoadBalancePolicy.Choice choice) {
		List<PoolServer> candidates = this.available;
		return candidates.isEmpty() ? null : this.policy.choose(candidates, choice);
	}

	// ---- lifecycle ----

	/** Subscribes to the servers' source (a configured list arrives at once). */
	synchronized void connectSource() {
		if (this.sourceSubscription == null) {
			this.sourceSubscription = this.source.get()
				.subscribe(this::updateServers,
						failure -> log.error("pool {}: the server list failed: {}", this.name, failure.toString()));
		}
	}

	/** Starts probing (the first round at once), and the source if it is not connected yet. */
	synchronized void start(HealthProber prober) {
		connectSource();
		if (this.check != null && this.probing == null) {
			HealthCheckPlan plan = this.check;
			this.probing = Flux.interval(Duration.ZERO, plan.interval(), Schedulers.parallel())
				.onBackpressureDrop()
				.concatMap(tick -> probeAll(prober), 0)
				.subscribe();
		}
	}

	synchronized void stop() {
		if (this.probing != null) {
			this.probing.dispose();
			this.probing = null;
		}
		if (this.sourceSubscription != null) {
			this.sourceSubscription.dispose();
			this.sourceSubscription = null;
		}
	}

	/** Merges a list from the source: servers that stay keep their state, new ones start healthy. */
	synchronized void updateServers(List<ServiceInstance> instances) {
		Map<String, PoolServer> known = new HashMap<>();
		for (PoolServer server : this.servers) {
			known.put(key(server.source()), server);
		}
		List<PoolServer> updated = new ArrayList<>(instances.size());
		for (ServiceInstance instance : instances) {
			PoolServer server = known.remove(key(instance));
			updated.add((server != null) ? server : new PoolServer(this.name, instance));
		}
		known.values().forEach(gone -> log.info("pool {}: server {} left the pool", this.name, gone.url()));
		this.servers = List.copyOf(updated);
		refreshAvailable();
	}

	private static String key(ServiceInstance instance) {
		return instance.getInstanceId() + "|" + instance.getHost() + ":" + instance.getPort() + "|"
				+ instance.isSecure() + "|" + instance.getMetadata();
	}

	private synchronized void refreshAvailable() {
		boolean hadAny = !this.available.isEmpty();
		List<PoolServer> inRotation = new ArrayList<>();
		for (PoolServer server : this.servers) {
			if (server.inRotation()) {
				inRotation.add(server);
			}
		}
		this.available = List.copyOf(inRotation);
		if (hadAny && inRotation.isEmpty() && !this.servers.isEmpty()) {
			log.warn("pool {}: no server in rotation; new connections get 503", this.name);
		}
	}

	// ---- health ----

	/** Probes every server once, now, and applies the results. Completes when all are in. */
	Mono<Void> probeAll(HealthProber prober) {
		HealthCheckPlan plan = this.check;
		if (plan == null) {
			return Mono.empty();
		}
		return Flux.fromIterable(this.servers)
			.flatMap(server -> prober.probe(server, plan).doOnNext(result -> record(server, result, plan)))
			.then();
	}

	private void record(PoolServer server, ProbeResult result, HealthCheckPlan plan) {
		if (!server.record(result, plan.fails(), plan.passes())) {
			return;
		}
		if (result.passed()) {
			log.info("pool {}: server {} is back in rotation after {} passed probe(s)", this.name, server.url(),
					plan.passes());
		}
		else {
			log.warn("pool {}: server {} left the rotation after {} failed probe(s): {}", this.name, server.url(),
					plan.fails(), result.failure());
		}
		refreshAvailable();
	}

	// ---- operator actions ----

	/**
	 * Takes a server out of rotation; with {@code close}, also closes its open connections
	 * with 1001 on both sides.
	 * @return the number of connections asked to close
	 */
	int drain(PoolServer server, boolean close) {
		server.drained(true);
		refreshAvailable();
		int closing = 0;
		if (close) {
			for (ProxiedConnection connection : server.connections()) {
				connection.close(DRAIN_CAUSE, 1001, DRAIN_REASON, 1001, DRAIN_REASON);
				closing++;
			}
		}
		log.info("pool {}: server {} drained by an operator{}", this.name, server.url(),
				close ? "; closing its " + closing + " connection(s)" : "");
		return closing;
	}

	void undrain(PoolServer server) {
		server.drained(false);
		refreshAvailable();
		log.info("pool {}: server {} undrained by an operator{}", this.name, server.url(),
				server.isHealthy() ? "" : " (still out of rotation until its probes pass)");
	}

}
