package io.wsgate.pools;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * {@code /actuator/wsbackends}: every pool and server with its state, last probe and active
 * connections, and what an operator may do about them:
 * <ul>
 * <li>{@code GET /actuator/wsbackends} and {@code GET /actuator/wsbackends/{pool}};</li>
 * <li>{@code POST /actuator/wsbackends/{pool}/probe}: probe every server of the pool now;</li>
 * <li>{@code POST /actuator/wsbackends/{pool}/servers/{index}/drain[?close=true]}: take a server
 * out of rotation (and close its connections with 1001);</li>
 * <li>{@code POST /actuator/wsbackends/{pool}/servers/{index}/undrain}: bring it back.</li>
 * </ul>
 */
@Endpoint(id = "wsbackends")
public class WsBackendsEndpoint {

	private final BackendPools pools;

	WsBackendsEndpoint(BackendPools pools) {
		this.pools = pools;
	}

	@ReadOperation
	public PoolViews.Pools pools() {
		return PoolViews.Pools.of(this.pools);
	}

	@ReadOperation
	public WebEndpointResponse<Object> pool(@Selector String pool) {
		return this.pools.find(pool)
			.<WebEndpointResponse<Object>>map(found -> new WebEndpointResponse<>(PoolViews.Pool.of(found)))
			.orElseGet(() -> problem(WebEndpointResponse.STATUS_NOT_FOUND, "no pool named " + pool));
	}

	/** {@code POST /{pool}/probe}: answers with the pool once every server was probed. */
	@WriteOperation
	public Mono<WebEndpointResponse<Object>> probe(@Selector String pool, @Selector String action) {
		BackendPool found = this.pools.find(pool).orElse(null);
		if (found == null) {
			return Mono.just(problem(WebEndpointResponse.STATUS_NOT_FOUND, "no pool named " + pool));
		}
		if (!"probe".equals(action)) {
			return Mono.just(problem(WebEndpointResponse.STATUS_NOT_FOUND, "no action " + action + " on a pool"));
		}
		if (found.healthCheck() == null) {
			return Mono.just(problem(WebEndpointResponse.STATUS_BAD_REQUEST, "pool " + pool + " has no health-check"));
		}
		return found.probeAll(this.pools.prober())
			.then(Mono.fromSupplier(() -> new WebEndpointResponse<Object>(PoolViews.Pool.of(found))));
	}

	/** {@code POST /{pool}/servers/{index}/drain} and {@code .../undrain}. */
	@WriteOperation
	public WebEndpointResponse<Object> server(@Selector String pool, @Selector String servers, @Selector int index,
			@Selector String action, @Nullable Boolean close) {
		BackendPool found = this.pools.find(pool).orElse(null);
		if (found == null) {
			return problem(WebEndpointResponse.STATUS_NOT_FOUND, "no pool named " + pool);
		}
		PoolServer server = "servers".equals(servers) ? found.server(index).orElse(null) : null;
		if (server == null) {
			return problem(WebEndpointResponse.STATUS_NOT_FOUND,
					"pool " + pool + " has no server " + index + " (0 to " + (found.servers().size() - 1) + ")");
		}
		switch (action) {
			case "drain" -> found.drain(server, Boolean.TRUE.equals(close));
			case "undrain" -> found.undrain(server);
			default -> {
				return problem(WebEndpointResponse.STATUS_NOT_FOUND,
						"no action " + action + " on a server (drain or undrain)");
			}
		}
		return new WebEndpointResponse<>(PoolViews.Server.of(index, server));
	}

	private static WebEndpointResponse<Object> problem(int status, String message) {
		return new WebEndpointResponse<>(Map.of("status", status, "error", message), status);
	}

}
