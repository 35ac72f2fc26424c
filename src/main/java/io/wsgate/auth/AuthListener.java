package io.wsgate.auth;

/**
 * Told of every upgrade a {@code WebSocketAuth} filter accepted or refused: what the
 * {@code metrics} package counts. Called on the event loop; must not block.
 */
public interface AuthListener {

	/** A client authenticated with {@code method} ({@code jwt}, {@code api-key}, {@code basic}). */
	default void authenticated(String routeId, String method) {
	}

	/**
	 * An upgrade was refused before any byte reached the backend. {@code reason} is one of
	 * {@code missing}, {@code malformed}, {@code invalid}, {@code expired}, {@code forbidden},
	 * {@code origin} or {@code unavailable}.
	 */
	default void refused(String routeId, String reason, int status) {
	}

}
