package io.wsgate.proxy;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * What a filter running before the proxy hears about the one connection an exchange leads
 * to: for example a backend pool that counts its servers' connections. The filter puts it
 * on the exchange with {@link #attach}; whoever {@link #take takes} it off owns the duty to
 * call {@link #ended()} once. The proxy takes it when it starts dialling the backend, then
 * calls {@link #opened} when the relay starts and {@link #ended()} when the connection has
 * closed, or at once when it never opened. A hook still on the exchange when the filter chain
 * is done was never taken by the proxy (the request was answered before any dialling), and
 * is the attaching filter's to end.
 */
public interface ConnectionHook {

	/**
	 * The connection opened: both handshakes are done and the relay runs. Called on the
	 * connection's event loop: must be quick and must not block.
	 */
	void opened(ProxiedConnection connection);

	/** The connection has closed, or will never open. Must be quick and must not block. */
	void ended();

	/** Puts {@code hook} on the exchange, replacing any hook there. */
	static void attach(ServerWebExchange exchange, ConnectionHook hook) {
		exchange.getAttributes().put(ConnectionHook.class.getName(), hook);
	}

	/** Takes the exchange's hook off it: the caller now owns the duty to end it. */
	static @Nullable ConnectionHook take(ServerWebExchange exchange) {
		return (ConnectionHook) exchange.getAttributes().remove(ConnectionHook.class.getName());
	}

}
