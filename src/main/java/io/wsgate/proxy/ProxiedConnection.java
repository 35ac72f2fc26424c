package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A live proxied WebSocket connection, as the registry shows it to other packages (admin
 * endpoints, lifetime policies). Reading it is safe from any thread; the counters may lag
 * the relay by a few frames.
 */
public interface ProxiedConnection {

	/**
	 * Most messages of the gateway's own ({@link #send}) that may wait on one connection, not
	 * yet written to its client's socket; one more is refused ({@link SendRefusedException.Reason#BUSY}).
	 */
	int MAX_PENDING_SENDS = 16;

	String id();

	String routeId();

	InetSocketAddress clientAddress();

	/** The backend's URI, without its query (which may carry credentials). */
	URI backend();

	@Nullable String subprotocol();

	/**
	 * Who the client authenticated as at upgrade time (a route's {@code WebSocketAuth}), or
	 * null on a route without authentication. Read-only.
	 */
	@Nullable Principal principal();

	Instant startedAt();

	/** Client to backend. */
	Traffic inbound();

	/** Backend to client. */
	Traffic outbound();

	/** How it is ending, once it is. */
	@Nullable CloseStatus closeStatus();

	/**
	 * Ends the connection from the gateway: each side gets a close frame with the given
	 * code and reason, at the next frame boundary, then the close handshake runs as usual.
	 * {@code cause} is a short word for logs and metrics (for example {@code shutdown}). Does
	 * nothing if the connection is already closing.
	 * @throws IllegalArgumentException for a code a close frame may not carry, or a reason
	 * longer than 123 bytes of UTF-8
	 */
	void close(String cause, int clientCode, String clientReason, int backendCode, String backendReason);

	/**
	 * Sends one message of the gateway's own to the client: one final, unmasked, uncompressed
	 * frame (RSV1 clear, which permessage-deflate allows), put into the stream from the backend
	 * at a message boundary, never inside a frame or between the fragments of a message; if one
	 * is under way, the message waits until its last frame has passed. It is counted with the
	 * outbound frames. Safe to call from any thread.
	 * @param text a text message (its payload must be UTF-8) or a binary one
	 * @return completes once the frame has been written to the client's socket (a client that
	 * reads slowly makes it wait in the outbound buffer); fails with a
	 * {@link SendRefusedException}: the connection is closing or closed, the payload is over the
	 * route's outbound limit or not UTF-8, or {@link #MAX_PENDING_SENDS} messages wait already
	 */
	CompletionStage<Void> send(boolean text, byte[] payload);

	/**
	 * Frames and bytes (on the wire, headers included) seen in one direction, and the frames
	 * by type ({@code continuation} counts the later fragments of fragmented messages).
	 */
	record Traffic(long frames, long bytes, long text, long binary, long continuation, long ping, long pong,
			long close) {
	}

}
