package io.wsgate.lifetime;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

import io.wsgate.proxy.ConnectionPolicy;

/**
 * {@code ConnectionExpiry}: the absolute lifetime of a route's connections, overriding
 * {@code wsgate.websocket.connection-expiry}. {@code ConnectionExpiry=1h}; at expiry both
 * sides get close 1001 "connection expired" ({@code code} and {@code reason} change that).
 * {@code 0} means unlimited.
 */
public class ConnectionExpiryGatewayFilterFactory
		extends AbstractGatewayFilterFactory<ConnectionExpiryGatewayFilterFactory.Config> {

	public ConnectionExpiryGatewayFilterFactory() {
		super(Config.class);
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("expiry", "code", "reason");
	}

	@Override
	public GatewayFilter apply(Config config) {
		ConnectionPolicy.Expiry expiry = Lifetimes.build("ConnectionExpiry",
				() -> new ConnectionPolicy.Expiry(Lifetimes.required("expiry", config.getExpiry()), config.getCode(),
						config.getReason()));
		return ConnectionPolicy.filter("ConnectionExpiry[" + Lifetimes.describe(expiry.after()) + ", "
				+ expiry.code() + " \"" + expiry.reason() + "\"]", policy -> policy.expiry(expiry));
	}

	/** Arguments of {@code ConnectionExpiry}. */
	public static class Config extends CloseArguments<Config> {

		/** Lifetime from the moment the connection opened; 0 = unlimited. */
		private @Nullable Duration expiry;

		public Config() {
			super(ConnectionPolicy.Expiry.NONE.code(), ConnectionPolicy.Expiry.NONE.reason());
		}

		public @Nullable Duration getExpiry() {
			return this.expiry;
		}

		public Config setExpiry(@Nullable Duration expiry) {
			this.expiry = expiry;
			return this;
		}

	}

}
