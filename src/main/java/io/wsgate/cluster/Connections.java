package io.wsgate.cluster;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The live connections the connections API works on: this replica's, or, with
 * {@code wsgate.cluster.enabled}, every replica's. A request that must reach other replicas and
 * cannot (Redis unavailable) fails with a {@link ClusterUnavailableException}; one that is
 * about a connection of this replica never needs Redis.
 */
public interface Connections {

	/** This replica's id (as entries name it in {@code replica}). */
	String replica();

	/** Whether requests reach every replica. */
	boolean clustered();

	/** The connections that match both filters (null: any), oldest first, at most {@code limit}. */
	Mono<Listing> list(@Nullable String route, @Nullable String principal, int limit);

	/** The connection {@code id}, on whichever replica holds it. */
	Mono<Lookup> find(String id);

	/**
	 * Closes the connection {@code id}: each side gets a close frame with {@code code} and
	 * {@code reason} (checked by the caller), then the close handshake runs. {@code by} names the
	 * operator in the log.
	 */
	Mono<Result> close(String id, int code, String reason, String by);

	/**
	 * Sends one message to the client of connection {@code id}; done once it has been written
	 * to its socket.
	 */
	Mono<Result> send(String id, boolean text, byte[] payload, String by);

	/** Sends one message to every open connection that matches both filters (null: any; one at least). */
	Mono<FanOut> fanOut(@Nullable String route, @Nullable String principal, boolean text, byte[] payload, String by);

	/**
	 * A list of connections: {@code total} matched, {@code sessions} the first of them, and the
	 * replicas that did not answer in time (always empty on one replica).
	 */
	record Listing(int total, List<ConnectionView> sessions, List<String> unanswered) {
	}

	/** A connection found (or null), and the replicas that did not answer if it was not. */
	record Lookup(@Nullable ConnectionView session, List<String> unanswered) {
	}

	/** What became of a request about one connection, on which replica. */
	record Result(Outcome outcome, @Nullable String replica, String message, List<String> unanswered) {

		static Result of(Outcome outcome, @Nullable String replica, String message) {
			return new Result(outcome, replica, message, List.of());
		}

	}

	/** What happened to a request about one connection. */
	enum Outcome {

		/** Done: closing, or the message written to the client's socket. */
		DONE,

		/** No replica (that answered) holds it. */
		NOT_FOUND,

		/** The connection is closing or closed. */
		CLOSING,

		/** The message is over the route's outbound limit. */
		TOO_BIG,

		/** A text message that is not UTF-8. */
		INVALID_TEXT,

		/** Too many messages already wait on the connection. */
		BUSY,

		/** The message was not written within {@code wsgate.connections.send-timeout} (it may still be). */
		TIMED_OUT

	}

	/**
	 * A fan-out: connections matched and reached (the message written to their socket), in all
	 * and by replica, and the replicas that did not answer in time.
	 */
	record FanOut(int matched, int reached, Map<String, Counts> replicas, List<String> unanswered) {
	}

	/** One replica's part of a fan-out. */
	record Counts(int matched, int reached) {
	}

}
