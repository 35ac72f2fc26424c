package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.wsgate.cluster.ClusterUnavailableException;
import io.wsgate.cluster.Connections;
import io.wsgate.proxy.ConnectionPolicy;

/**
 * {@code /actuator/wssessions}: the live WebSocket connections, of this replica or, with
 * {@code wsgate.cluster.enabled}, of every replica ({@link Connections}), and a way to end one.
 * <ul>
 * <li>{@code GET /actuator/wssessions[?route=&principal=&limit=]}: the connections, oldest
 * first (at most {@code limit}, default 1000), each naming its {@code replica}, and the
 * replicas that did not answer ({@code unanswered});</li>
 * <li>{@code GET /actuator/wssessions/{id}}: one;</li>
 * <li>{@code DELETE /actuator/wssessions/{id}[?code=&reason=]}: closes it, both sides getting
 * the code and reason (default 1008 "closed by administrator").</li>
 * </ul>
 * Its messages ({@code POST .../messages}) are {@link ConnectionsApi}'s. A cluster request
 * while Redis cannot be reached gets 503 ({@link ClusterUnavailableException}).
 */
@Endpoint(id = "wssessions")
public class WsSessionsEndpoint {

	static final int DEFAULT_CODE = 1008;

	static final String DEFAULT_REASON = "closed by administrator";

	static final int DEFAULT_LIMIT = 1000;

	private final Connections connections;

	WsSessionsEndpoint(Connections connections) {
		this.connections = connections;
	}

	@ReadOperation
	public Mono<WebEndpointResponse<Object>> sessions(@Nullable String route, @Nullable String principal,
			@Nullable Integer limit) {
		int max = (limit == null || limit <= 0) ? DEFAULT_LIMIT : limit;
		return answer(this.connections.list(route, principal, max).map(WebEndpointResponse<Object>::new));
	}

	@ReadOperation
	public Mono<WebEndpointResponse<Object>> session(@Selector String id) {
		return answer(this.connections.find(id)
			.map(lookup -> (lookup.session() != null) ? new WebEndpointResponse<>(lookup.session())
					: notFound(id, lookup.unanswered())));
	}

	@DeleteOperation
	public Mono<WebEndpointResponse<Object>> close(@Selector String id, @Nullable Integer code,
			@Nullable String reason, SecurityContext security) {
		int closeCode = (code != null) ? code : DEFAULT_CODE;
		String closeReason = (reason != null) ? reason : DEFAULT_REASON;
		try {
			ConnectionPolicy.checkClose("client close", closeCode, closeReason);
		}
		catch (IllegalArgumentException ex) {
			return Mono.just(problem(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getMessage()));
		}
		String by = (security.getPrincipal() != null) ? security.getPrincipal().getName() : "-";
		return answer(this.connections.close(id, closeCode, closeReason, by).map(result -> switch (result.outcome()) {
			case DONE -> new WebEndpointResponse<>(Map.of("id", id, "replica", String.valueOf(result.replica()),
					"closing", Map.of("code", closeCode, "reason", closeReason)));
			case NOT_FOUND -> notFound(id, result.unanswered());
			default -> problem(WebEndpointResponse.STATUS_BAD_REQUEST, result.message());
		}));
	}

	/** No replica holds it: 404; or it is not known, for a replica that did not answer: 504. */
	static WebEndpointResponse<Object> notFound(String id, List<String> unanswered) {
		if (unanswered.isEmpty()) {
			return problem(WebEndpointResponse.STATUS_NOT_FOUND, "no session " + id);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", 504);
		body.put("error", "no session " + id + " on the replicas that answered; not known for " + unanswered);
		body.put("unanswered", unanswered);
		return new WebEndpointResponse<>(body, 504);
	}

	private static Mono<WebEndpointResponse<Object>> answer(Mono<WebEndpointResponse<Object>> answer) {
		return answer.onErrorResume(ClusterUnavailableException.class,
				ex -> Mono.just(problem(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, ex.getMessage())));
	}

	private static WebEndpointResponse<Object> problem(int status, String message) {
		return new WebEndpointResponse<>(Map.of("status", status, "error", message), status);
	}

}
