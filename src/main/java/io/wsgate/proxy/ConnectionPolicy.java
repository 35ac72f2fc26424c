package io.wsgate.proxy;

import org.jspecify.annotations.Nullable;

import org.springframework.web.server.ServerWebExchange;

/**
 * The policies route filters put on an exchange for the relay to apply while the connection
 * lives. Filter factories (in this and other packages) fill it in; the relay reads it once,
 * when the connection is established. Anything left unset falls back to the global
 * {@code wsgate.websocket.*} settings.
 */
public final class ConnectionPolicy {

	private static final String ATTRIBUTE = ConnectionPolicy.class.getName();

	private @Nullable MessageLimits messageLimits;

	/** The exchange's policy, created on first use. */
	public static ConnectionPolicy of(ServerWebExchange exchange) {
		return (ConnectionPolicy) exchange.getAttributes().computeIfAbsent(ATTRIBUTE, key -> new ConnectionPolicy());
	}

	static @Nullable ConnectionPolicy find(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	public @Nullable MessageLimits messageLimits() {
		return this.messageLimits;
	}

	public ConnectionPolicy messageLimits(MessageLimits messageLimits) {
		this.messageLimits = messageLimits;
		return this;
	}

}
