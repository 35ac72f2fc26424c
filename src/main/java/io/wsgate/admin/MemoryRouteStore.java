package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.RouteDefinition;

/** {@code wsgate.routes.store=memory}: runtime routes last as long as the process. */
final class MemoryRouteStore implements RouteStore {

	private final RouteJson json;

	private final Map<String, RouteDefinition> routes = new LinkedHashMap<>();

	MemoryRouteStore(RouteJson json) {
		this.json = json;
	}

	@Override
	public Mono<Map<String, RouteDefinition>> load() {
		return Mono.fromSupplier(() -> {
			synchronized (this.routes) {
				return this.json.copy(this.routes);
			}
		});
	}

	@Override
	public Mono<Boolean> save(RouteDefinition route) {
		RouteDefinition copy = this.json.copy(route);
		return Mono.fromSupplier(() -> {
			synchronized (this.routes) {
				return this.routes.put(copy.getId(), copy) != null;
			}
		});
	}

	@Override
	public Mono<Boolean> delete(String id) {
		return Mono.fromSupplier(() -> {
			synchronized (this.routes) {
				return this.routes.remove(id) != null;
			}
		});
	}

	@Override
	public String describe() {
		return "memory (runtime routes are lost on restart)";
	}

}
