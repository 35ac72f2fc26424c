package io.wsgate.support;

import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A listener for the JDK's WebSocket client that keeps what tests ask of one: its socket, the
 * first whole text message, every text message counted by content, and how it was closed. The
 * JDK answers pings and close frames itself.
 */
public final class JdkClient implements WebSocket.Listener {

	/** A close as the client saw it: code (-1 for an error without a close frame), reason, when. */
	public record Closed(int code, String reason, long atNanos) {
	}

	public volatile WebSocket socket;

	/** The first whole text message; completed exceptionally by an error before one came. */
	public final CompletableFuture<String> first = new CompletableFuture<>();

	public final CompletableFuture<Closed> closed = new CompletableFuture<>();

	/** Every whole text message, by content: how many times it came. */
	public final Map<String, Integer> received = new ConcurrentHashMap<>();

	private final StringBuilder text = new StringBuilder();

	public int count(String message) {
		return this.received.getOrDefault(message, 0);
	}

	@Override
	public void onOpen(WebSocket webSocket) {
		this.socket = webSocket;
		webSocket.request(1);
	}

	@Override
	public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
		this.text.append(data);
		if (last) {
			String message = this.text.toString();
			this.text.setLength(0);
			this.received.merge(message, 1, Integer::sum);
			this.first.complete(message);
		}
		webSocket.request(1);
		return null;
	}

	@Override
	public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
		this.closed.complete(new Closed(statusCode, reason, System.nanoTime()));
		return null; // the JDK answers the close frame
	}

	@Override
	public void onError(WebSocket webSocket, Throwable error) {
		this.closed.complete(new Closed(-1, error.toString(), System.nanoTime()));
		this.first.completeExceptionally(error);
	}

}
