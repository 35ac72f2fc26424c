package io.wsgate.admin;

import java.util.Map;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.RouteDefinition;

/**
 * Where the routes created at runtime live. Implementations keep their own copies of the
 * definitions (a caller may change its objects afterwards) and may block only off event
 * loops.
 */
interface RouteStore {

	/** Every stored route, by id. */
	Mono<Map<String, RouteDefinition>> load();

	/** Stores {@code route} under its id; emits whether it replaced one. */
	Mono<Boolean> save(RouteDefinition route);

	/** Removes the route; emits whether there was one. */
	Mono<Boolean> delete(String id);

	/**
	 * Emits when another replica changed the routes (with the route id, when known); never
	 * completes. Empty for a store no one else writes.
	 */
	default Flux<String> changes() {
		return Flux.empty();
	}

	/** For logs: {@code file /var/lib/wsgate/routes.json}, {@code redis hash wsgate:routes}, ... */
	String describe();

}
