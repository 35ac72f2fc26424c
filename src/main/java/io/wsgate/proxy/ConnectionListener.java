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
	 * {@code peer-lost}, or what an operator's close named.
	 */
	void closedByGateway(ProxiedConnection connection, String cause, int code);

}
