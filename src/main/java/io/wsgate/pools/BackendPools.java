package io.wsgate.pools;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.ServiceInstanceListSuppliers;
import org.springframework.context.SmartLifecycle;

/**
 * Every backend pool, by name, built from {@code wsgate.pools}. Probing runs while the
 * application runs: it starts with the context (a first round at once) and stops with it.
 */
public class BackendPools implements SmartLifecycle {

	private final Map<String, BackendPool> pools;

	private final HealthProber prober;

	private volatile boolean running;

	BackendPools(PoolProperties properties, HealthProber prober) {
		this.prober = prober;
		Map<String, BackendPool> pools = new LinkedHashMap<>();
		properties.getPools().forEach((name, settings) -> {
			PoolProperties.HealthCheck check = settings.getHealthCheck();
			pools.put(name, new BackendPool(name, settings.getLoadBalance(),
					(check != null) ? HealthCheckPlan.of(check) : null, configuredServers(name, settings)));
		});
		this.pools = Collections.unmodifiableMap(pools);
		// servers are known before the web server takes requests; probing starts with the context
		this.pools.values().forEach(BackendPool::connectSource);
	}

	/** The configured servers as a Spring Cloud LoadBalancer source of instances. */
	static ServiceInstanceListSupplier configuredServers(String pool, PoolProperties.Pool settings) {
		List<ServiceInstance> instances = new ArrayList<>();
		for (int i = 0; i < settings.getServers().size(); i++) {
			PoolProperties.Server server = settings.getServers().get(i);
			URI url = URI.create(server.getUrl().trim());
			String scheme = url.getScheme().toLowerCase(Locale.ROOT);
			boolean secure = scheme.equals("wss") || scheme.equals("https");
			int port = (url.getPort() > 0) ? url.getPort() : (secure ? 443 : 80);
			String host = url.getHost();
			if (host.startsWith("[") && host.endsWith("]")) {
				host = host.substring(1, host.length() - 1);
			}
			Map<String, String> metadata = new LinkedHashMap<>();
			metadata.put(PoolServer.WEIGHT, String.valueOf(server.getWeight()));
			metadata.put(PoolServer.KEEP_HOST, String.valueOf(server.isKeepHost()));
			instances.add(new DefaultServiceInstance(pool + "-" + i, pool, host, port, secure, metadata));
		}
		return ServiceInstanceListSuppliers.from(pool, instances.toArray(ServiceInstance[]::new));
	}

	public Collection<BackendPool> pools() {
		return this.pools.values();
	}

	public Optional<BackendPool> find(@Nullable String name) {
		return Optional.ofNullable((name != null) ? this.pools.get(name) : null);
	}

	HealthProber prober() {
		return this.prober;
	}

	@Override
	public void start() {
		this.pools.values().forEach(pool -> pool.start(this.prober));
		this.running = true;
	}

	@Override
	public void stop() {
		this.pools.values().forEach(BackendPool::stop);
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
