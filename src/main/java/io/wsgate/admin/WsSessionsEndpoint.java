package io.wsgate.admin;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.SecretMask;

/**
 * {@code /actuator/wssessions}: the live WebSocket connections of this replica, and a way to
 * end one.
 * <ul>
 * <li>{@code GET /actuator/wssessions[?route=&principal=&limit=]}: the connections, oldest
 * first (at most {@code limit}, default 1000);</li>
 * <li>{@code GET /actuator/wssessions/{id}}: one;</li>
 * <li>{@code DELETE /actuator/wssessions/{id}[?code=&reason=]}: closes it, both sides getting
 * the code and reason (default 1008 "closed by administrator").</li>
 * </ul>
 */
@Endpoint(id = "wssessions")
public class WsSessionsEndpoint {

	static final int DEFAULT_CODE = 1008;

	static final String DEFAULT_REASON = "closed by administrator";

	static final int DEFAULT_LIMIT = 1000;

	private static final Logger log = LoggerFactory.getLogger(WsSessionsEndpoint.class);

	private final ConnectionRegistry registry;

	WsSessionsEndpoint(ConnectionRegistry registry) {
		this.registry = registry;
	}

	@ReadOperation
	public Sessions sessions(@Nullable String route, @Nullable String principal, @Nullable Integer limit) {
		List<ProxiedConnection> matching = this.registry.connections()
			.stream()
			.filter(connection -> route == null || route.equals(connection.routeId()))
			.filter(connection -> principal == null || principal.equals(name(connection.principal())))
			.sorted(Comparator.comparing(ProxiedConnection::startedAt))
			.toList();
		int max = (limit == null || limit <= 0) ? DEFAULT_LIMIT : limit;
		return new Sessions(matching.size(), matching.stream().limit(max).map(Session::of).toList());
	}

	@ReadOperation
	public WebEndpointResponse<Object> session(@Selector String id) {
		return this.registry.find(id)
			.<WebEndpointResponse<Object>>map(connection -> new WebEndpointResponse<>(Session.of(connection)))
			.orElseGet(() -> problem(WebEndpointResponse.STATUS_NOT_FOUND, "no session " + id));
	}

	@DeleteOperation
	public WebEndpointResponse<Object> close(@Selector String id, @Nullable Integer code, @Nullable String reason,
			SecurityContext security) {
		ProxiedConnection connection = this.registry.find(id).orElse(null);
		if (connection == null) {
			return problem(WebEndpointResponse.STATUS_NOT_FOUND, "no session " + id);
		}
		int closeCode = (code != null) ? code : DEFAULT_CODE;
		String closeReason = (reason != null) ? reason : DEFAULT_REASON;
		try {
			connection.close("admin", closeCode, closeReason, closeCode, closeReason);
		}
		catch (IllegalArgumentException ex) {
			return problem(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getMessage());
		}
		log.info("session {} (route {}, principal {}) closed by {}: {} \"{}\"", id, connection.routeId(),
				name(connection.principal()), name(security.getPrincipal()), closeCode, closeReason);
		return new WebEndpointResponse<>(Map.of("id", id, "closing", Map.of("code", closeCode, "reason", closeReason)));
	}

	private static @Nullable String name(@Nullable Principal principal) {
		return (principal != null) ? principal.getName() : null;
	}

	private static WebEndpointResponse<Object> problem(int status, String message) {
		return new WebEndpointResponse<>(Map.of("status", status, "error", message), status);
	}

	/** The list: how many matched, and the first of them. */
	public record Sessions(int total, List<Session> sessions) {
	}

	/** One connection as operators see it (a subprotocol that carries a token masked). */
	public record Session(String id, String route, String client, String backend, @Nullable String subprotocol,
			@Nullable String principal, Instant startedAt, long ageMillis, Traffic inbound, Traffic outbound,
			@Nullable Close close) {

		static Session of(ProxiedConnection connection) {
			CloseStatus status = connection.closeStatus();
			return new Session(connection.id(), connection.routeId(), connection.clientAddress().toString(),
					connection.backend().toString(), SecretMask.subprotocol(connection.subprotocol()),
					name(connection.principal()),
					connection.startedAt(), Duration.between(connection.startedAt(), Instant.now()).toMillis(),
					Traffic.of(connection.inbound()), Traffic.of(connection.outbound()),
					(status != null) ? new Close(status.code(), status.reason(), status.initiator().toString()) : null);
		}

	}

	/** One direction's counters. */
	public record Traffic(long frames, long bytes, long text, long binary, long continuation, long ping, long pong,
			long close) {

		static Traffic of(ProxiedConnection.Traffic traffic) {
			return new Traffic(traffic.frames(), traffic.bytes(), traffic.text(), traffic.binary(),
					traffic.continuation(), traffic.ping(), traffic.pong(), traffic.close());
		}

	}

	/** How a connection that is closing is ending. */
	public record Close(int code, String reason, String initiator) {
	}

}
