package io.wsgate.admin;

/**
 * A route store that cannot be read or written: a corrupt store file at startup, a failed
 * write, an unreachable Redis. The message says which store and what to do.
 */
public class RouteStoreException extends RuntimeException {

	RouteStoreException(String message, Throwable cause) {
		super(message, cause);
	}

	RouteStoreException(String message) {
		super(message);
	}

}
