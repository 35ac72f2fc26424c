package io.wsgate.cluster;

/** A request for every replica could not be made: Redis is down, unreachable or too slow. */
public final class ClusterUnavailableException extends RuntimeException {

	ClusterUnavailableException(String message, Throwable cause) {
		super(message, cause);
	}

}
