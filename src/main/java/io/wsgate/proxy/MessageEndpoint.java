package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

/**
 * A WebSocket endpoint the gateway itself serves, message by message, in the place of a
 * WebSocket backend: a route filter puts one on the exchange ({@link ConnectionPolicy#endpoint})
 * and the proxy then opens it where it would dial the backend. Everything else is as on a
 * proxied route: the client's upgrade is answered only once {@link #open} succeeded, and the
 * connection runs through the same relay (size limits, frame hooks, lifetime timers, capture,
 * metrics, the session registry), the endpoint sitting where the backend's socket would be.
 *
 * <p>The endpoint sees whole messages, unmasked, decompressed and joined from their fragments;
 * pings are answered and the close handshake is run for it.
 */
public interface MessageEndpoint {

	/**
	 * Opens the endpoint's side of a connection, before the client's upgrade is answered. The
	 * result's value accepts the upgrade; an error of type {@link Refusal} answers the client
	 * with its status (and, for {@link Refusal#refused}, its headers and body) and no upgrade
	 * happens; any other error is a 502.
	 */
	Mono<Session> open(Request request);

	/**
	 * What the endpoint is told of the upgrade.
	 * @param connectionId the id the connection will have in the registry
	 * @param routeId the route's id
	 * @param target the URI the route resolved to (a pool's server for {@code lb://} routes)
	 * @param headers the upgrade's headers as a backend would get them (hop-by-hop and
	 * {@code Sec-WebSocket-*} headers removed, credentials stripped, Spring Cloud Gateway's header filters applied:
	 * {@code X-Forwarded-*} as {@code trusted-proxies} decides)
	 * @param identity the identity headers the route's authentication set (empty without any)
	 * @param protocols the subprotocols the client offered, in order
	 * @param client the client's address
	 * @param principal who the client authenticated as, or null
	 * @param maxInbound the largest message the client may send (the endpoint is never handed a larger one)
	 * @param maxOutbound the largest message the client may be sent
	 */
	record Request(String connectionId, String routeId, URI target, HttpHeaders headers, HttpHeaders identity,
			List<String> protocols, @Nullable InetSocketAddress client, @Nullable Principal principal, long maxInbound,
			long maxOutbound) {
	}

	/**
	 * One open connection as the endpoint runs it. Every method is called on the connection's
	 * event loop (also {@link Peer#executor()}): none may block.
	 */
	interface Session {

		/** The subprotocol the client gets (one it offered), or null for none. */
		@Nullable String subprotocol();

		/** The relay runs: messages may go to the client through {@code peer} from now on. */
		void started(Peer peer);

		/** A whole message from the client; {@code text} payloads are valid UTF-8. */
		void message(boolean text, byte[] payload);

		/** What waited for a client that lagged (see {@link Peer#keepsUp()}) has gone out to it. */
		default void caughtUp() {
		}

		/**
		 * The connection is over (or never opened once {@link #open} succeeded): called once,
		 * with how it ended, as the session registry saw it.
		 */
		void ended(CloseStatus status);

	}

	/** The client's side, as the endpoint reaches it. Use only on {@link #executor()}. */
	interface Peer {

		/** Sends one message to the client (after those sent before). */
		void send(boolean text, byte[] payload);

		/** Closes the connection: the client gets this close frame, the handshake runs as usual. */
		void close(int code, String reason);

		/**
		 * Stops (or restarts) reading the client's socket: what the client sends then waits in
		 * its own socket, not in the gateway. The endpoint still gets what was read before.
		 */
		void reading(boolean on);

		/** Whether the client takes messages as fast as they are sent: false while it lags. */
		boolean keepsUp();

		/** The connection's event loop. */
		Executor executor();

	}

	/** How an endpoint turns an upgrade down; what {@link #open} fails with. */
	final class Refusal extends RuntimeException {

		private final int status;

		private final HttpHeaders headers;

		private final byte[] body;

		private final boolean endpointAnswer;

		private Refusal(int status, String message, HttpHeaders headers, byte[] body, boolean endpointAnswer) {
			super(message, null, false, false);
			this.status = status;
			this.headers = headers;
			this.body = body;
			this.endpointAnswer = endpointAnswer;
		}

		/** The service behind the endpoint said no: its status, headers and body go to the client. */
		public static Refusal refused(int status, HttpHeaders headers, byte[] body) {
			return new Refusal(status, "refused with " + status, headers, body, true);
		}

		/** The gateway's own answer ({@code 502} unreachable, {@code 504} no answer in time): one line. */
		public static Refusal failed(int status, String message) {
			return new Refusal(status, message, new HttpHeaders(), new byte[0], false);
		}

		BackendHandshakeException toHandshakeFailure() {
			if (this.endpointAnswer) {
				return BackendHandshakeException.refused(this.status, this.headers, this.body);
			}
			return (this.status == 504) ? BackendHandshakeException.timeout(getMessage())
					: BackendHandshakeException.unreachable(getMessage());
		}

	}

}
