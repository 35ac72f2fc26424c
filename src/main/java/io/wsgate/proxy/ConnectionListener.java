package io.wsgate.proxy;

/**
 * Hears about proxied connections, for metrics and the like. Called on the connection's
 * event loop: implementations must be quick and must not block.
 */
public interface ConnectionListener {

	/**
	 * The gateway is ending {@code connection} itself, sending {@code code} to the client (or
	 * to the side still there). {@code cause} is one of {@code expired}, {@code idle},
	 * {@code unresponsive}, {@code shutdown}, {@code message-too-big}, {@code protocol-error},
	 * {@code buffer-budget}, {@code message-timeout},
	 * {@code peer-lost}, or what an operator's close named.
	 */
	void closedByGateway(ProxiedConnection connection, String cause, int code);

	/** {@code connection} completed both handshakes and is relayed from now on. */
	default void opened(ProxiedConnection connection) {
	}

	/**
	 * {@code connection} ended: both TCP connections are closed, its counters and
	 * {@link ProxiedConnection#closeStatus() close status} are final.
	 */
	default void closed(ProxiedConnection connection) {
	}

	/**
	 * An upgrade request on {@code routeId} was answered: {@code status} is 101 when both
	 * handshakes completed, otherwise what the client got (the backend's refusal, 502, 503,
	 * 504, or 0 when the client left first); {@code outcome} is one of {@code upgraded},
	 * {@code refused} (by the backend), {@code failed} (backend unreachable, silent or broken),
	 * {@code rejected} (by the gateway: bad request, connection limit, shutdown) and
	 * {@code cancelled}. {@code nanos} runs from the upgrade request reaching the proxy.
	 */
	default void handshake(String routeId, int status, String outcome, long nanos) {
	}

}
