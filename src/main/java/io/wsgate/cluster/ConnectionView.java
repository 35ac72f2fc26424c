package io.wsgate.cluster;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.SecretMask;

/**
 * One connection as operators see it ({@code /actuator/wssessions}), on whichever replica
 * holds it ({@code replica}); a subprotocol that carries a token is masked. Also what
 * replicas send each other, as JSON.
 */
public record ConnectionView(String id, String replica, String route, String client, String backend,
		@Nullable String subprotocol, @Nullable String principal, Instant startedAt, long ageMillis, Traffic inbound,
		Traffic outbound, @Nullable Close close) {

	static ConnectionView of(ProxiedConnection connection, String replica) {
		CloseStatus status = connection.closeStatus();
		return new ConnectionView(connection.id(), replica, connection.routeId(),
				connection.clientAddress().toString(), connection.backend().toString(),
				SecretMask.subprotocol(connection.subprotocol()), name(connection.principal()), connection.startedAt(),
				Duration.between(connection.startedAt(), Instant.now()).toMillis(), Traffic.of(connection.inbound()),
				Traffic.of(connection.outbound()),
				(status != null) ? new Close(status.code(), status.reason(), status.initiator().toString()) : null);
	}

	static @Nullable String name(@Nullable Principal principal) {
		return (principal != null) ? principal.getName() : null;
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
