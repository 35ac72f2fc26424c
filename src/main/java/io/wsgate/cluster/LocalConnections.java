package io.wsgate.cluster;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.wsgate.proxy.LogLine;
import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.SendRefusedException;

/** This replica's connections: the whole answer on one replica, this replica's part in a cluster. */
final class LocalConnections implements Connections {

	private static final Logger log = LoggerFactory.getLogger(LocalConnections.class);

	private final ConnectionRegistry registry;

	private final String replica;

	private final Duration sendTimeout;

	LocalConnections(ConnectionRegistry registry, String replica, Duration sendTimeout) {
		this.registry = registry;
		this.replica = replica;
		this.sendTimeout = sendTimeout;
	}

	@Override
	public String replica() {
		return this.replica;
	}

	@Override
	public boolean clustered() {
		return false;
	}

	@Override
	public Mono<Listing> list(@Nullable String route, @Nullable String principal, int limit) {
		return Mono.fromSupplier(() -> listNow(route, principal, limit));
	}

	Listing listNow(@Nullable String route, @Nullable String principal, int limit) {
		List<ProxiedConnection> matching = matching(route, principal).sorted(
				Comparator.comparing(ProxiedConnection::startedAt)).toList();
		return new Listing(matching.size(),
				matching.stream().limit(limit).map(connection -> ConnectionView.of(connection, this.replica)).toList(),
				List.of());
	}

	private Stream<ProxiedConnection> matching(@Nullable String route, @Nullable String principal) {
		return this.registry.connections()
			.stream()
			.filter(connection -> route == null || route.equals(connection.routeId()))
			.filter(connection -> principal == null || principal.equals(ConnectionView.name(connection.principal())));
	}

	@Override
	public Mono<Lookup> find(String id) {
		return Mono.fromSupplier(() -> new Lookup(view(id), List.of()));
	}

	@Nullable ConnectionView view(String id) {
		return this.registry.find(id).map(connection -> ConnectionView.of(connection, this.replica)).orElse(null);
	}

	boolean holds(String id) {
		return this.registry.find(id).isPresent();
	}

	@Override
	public Mono<Result> close(String id, int code, String reason, String by) {
		return Mono.fromSupplier(() -> {
			ProxiedConnection connection = this.registry.find(id).orElse(null);
			if (connection == null) {
				return notFound(id);
			}
			connection.close("admin", code, reason, code, reason);
			LogLine.of(log.atInfo(), "session closed by an operator")
				.with("id", id)
				.with("route", connection.routeId())
				.with("principal", ConnectionView.name(connection.principal()))
				.with("by", by)
				.with("code", code)
				.quoted("reason", reason)
				.log();
			return Result.of(Outcome.DONE, this.replica, "closing");
		});
	}

	@Override
	public Mono<Result> send(String id, boolean text, byte[] payload, String by) {
		return Mono.defer(() -> {
			ProxiedConnection connection = this.registry.find(id).orElse(null);
			return (connection != null) ? deliver(connection, text, payload) : Mono.just(notFound(id));
		});
	}

	private Result notFound(String id) {
		return Result.of(Outcome.NOT_FOUND, null, "no session " + id);
	}

	/** Sends to one connection; the outcome once written, refused, or out of time. */
	private Mono<Result> deliver(ProxiedConnection connection, boolean text, byte[] payload) {
		return Mono.fromCompletionStage(() -> connection.send(text, payload))
			.thenReturn(Result.of(Outcome.DONE, this.replica, "written"))
			.timeout(this.sendTimeout, Mono.fromSupplier(() -> Result.of(Outcome.TIMED_OUT, this.replica,
					"not written to the client within " + this.sendTimeout.toMillis() + " ms; it may still be")))
			.onErrorResume(SendRefusedException.class,
					ex -> Mono.just(Result.of(outcome(ex.reason()), this.replica, ex.getMessage())));
	}

	private static Outcome outcome(SendRefusedException.Reason reason) {
		return switch (reason) {
			case CLOSED -> Outcome.CLOSING;
			case TOO_BIG -> Outcome.TOO_BIG;
			case INVALID_TEXT -> Outcome.INVALID_TEXT;
			case BUSY -> Outcome.BUSY;
		};
	}

	@Override
	public Mono<FanOut> fanOut(@Nullable String route, @Nullable String principal, boolean text, byte[] payload,
			String by) {
		return fanOutHere(route, principal, text, payload).map(counts -> new FanOut(counts.matched(), counts.reached(),
				Map.of(this.replica, counts), List.of()));
	}

	/** Sends to every matching connection of this replica, all at once; how many matched and were reached. */
	Mono<Counts> fanOutHere(@Nullable String route, @Nullable String principal, boolean text, byte[] payload) {
		return Mono.defer(() -> {
			List<ProxiedConnection> targets = matching(route, principal).toList();
			return Flux.fromIterable(targets)
				.flatMap(connection -> deliver(connection, text, payload), Math.max(1, targets.size()))
				.filter(result -> result.outcome() == Outcome.DONE)
				.count()
				.map(reached -> new Counts(targets.size(), reached.intValue()));
		});
	}

}
