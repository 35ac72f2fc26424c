package io.wsgate.lifetime;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

import io.wsgate.proxy.ConnectionPolicy;

/**
 * {@code KeepAlive}: the gateway pings both sides of a route's connections, overriding
 * {@code wsgate.websocket.keep-alive.*}. {@code KeepAlive=30s,10s} pings every 30 seconds and
 * gives each side 10 seconds to answer (a pong, or any frame). A side that does not is
 * disconnected, and the other side gets a close: 1011 "backend unresponsive" to a client,
 * 1001 "client unresponsive" to a backend. The gateway's pings and their pongs are not
 * relayed; the peers' own pings and pongs still are. An interval of {@code 0} turns it off.
 */
public class KeepAliveGatewayFilterFactory extends AbstractGatewayFilterFactory<KeepAliveGatewayFilterFactory.Config> {

	private final LifetimeProperties properties;

	public KeepAliveGatewayFilterFactory(LifetimeProperties properties) {
		super(Config.class);
		this.properties = properties;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("interval", "timeout");
	}

	@Override
	public GatewayFilter apply(Config config) {
		Duration timeout = (config.getTimeout() != null) ? config.getTimeout()
				: this.properties.getKeepAlive().getTimeout();
		ConnectionPolicy.KeepAlive keepAlive = Lifetimes.build("KeepAlive",
				() -> new ConnectionPolicy.KeepAlive(Lifetimes.required("interval", config.getInterval()), timeout));
		return ConnectionPolicy.filter("KeepAlive[interval=" + Lifetimes.describe(keepAlive.interval()) + ", timeout="
				+ Lifetimes.describe(keepAlive.timeout()) + "]", policy -> policy.keepAlive(keepAlive));
	}

	/** Arguments of {@code KeepAlive}. */
	public static class Config {

		/** Time between the gateway's pings to each side; 0 = no pings. */
		private @Nullable Duration interval;

		/** Time a side has to answer; default {@code wsgate.websocket.keep-alive.timeout}. */
		private @Nullable Duration timeout;

		public @Nullable Duration getInterval() {
			return this.interval;
		}

		public Config setInterval(@Nullable Duration interval) {
			this.interval = interval;
			return this;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public Config setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
			return this;
		}

	}

}
