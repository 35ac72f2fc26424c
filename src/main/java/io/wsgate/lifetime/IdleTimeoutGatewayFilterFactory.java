package io.wsgate.lifetime;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

import io.wsgate.proxy.ConnectionPolicy;

/**
 * {@code IdleTimeout}: closes a route's connections after a time without a data message in
 * either direction, overriding {@code wsgate.websocket.idle-timeout}. {@code IdleTimeout=5m};
 * both sides then get close 1001 "idle timeout" ({@code code} and {@code reason} change that).
 * With {@code count-pings: true} the peers' pings and pongs count as activity; the gateway's
 * own keep-alive pings never do. {@code 0} means no idle timeout.
 */
public class IdleTimeoutGatewayFilterFactory
		extends AbstractGatewayFilterFactory<IdleTimeoutGatewayFilterFactory.Config> {

	public IdleTimeoutGatewayFilterFactory() {
		super(Config.class);
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("timeout", "countPings");
	}

	@Override
	public GatewayFilter apply(Config config) {
		ConnectionPolicy.IdleTimeout idle = Lifetimes.build("IdleTimeout",
				() -> new ConnectionPolicy.IdleTimeout(Lifetimes.required("timeout", config.getTimeout()),
						config.isCountPings(), config.getCode(), config.getReason()));
		return ConnectionPolicy.filter("IdleTimeout[" + Lifetimes.describe(idle.after()) + ", countPings="
				+ idle.pingsCount() + ", " + idle.code() + " \"" + idle.reason() + "\"]",
				policy -> policy.idleTimeout(idle));
	}

	/** Arguments of {@code IdleTimeout}. */
	public static class Config extends CloseArguments<Config> {

		/** Time without a data message in either direction; 0 = no idle timeout. */
		private @Nullable Duration timeout;

		/** Whether the peers' pings and pongs count as activity. */
		private boolean countPings;

		public Config() {
			super(ConnectionPolicy.IdleTimeout.NONE.code(), ConnectionPolicy.IdleTimeout.NONE.reason());
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public Config setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
			return this;
		}

		public boolean isCountPings() {
			return this.countPings;
		}

		public Config setCountPings(boolean countPings) {
			this.countPings = countPings;
			return this;
		}

	}

}
