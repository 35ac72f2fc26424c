package io.wsgate.proxy;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * {@code MaxMessageSize}: the largest WebSocket message a route relays, overriding
 * {@code wsgate.websocket.max-message-size}. {@code MaxMessageSize=64MB} sets both
 * directions; {@code inbound} (client to backend) and {@code outbound} (backend to client)
 * set one each. -1 means unlimited.
 */
public class MaxMessageSizeGatewayFilterFactory
		extends AbstractGatewayFilterFactory<MaxMessageSizeGatewayFilterFactory.Config> {

	private final WebSocketProperties properties;

	public MaxMessageSizeGatewayFilterFactory(WebSocketProperties properties) {
		super(Config.class);
		this.properties = properties;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("size");
	}

	@Override
	public GatewayFilter apply(Config config) {
		DataSize fallback = (config.getSize() != null) ? config.getSize() : this.properties.getMaxMessageSize();
		DataSize inbound = (config.getInbound() != null) ? config.getInbound() : fallback;
		DataSize outbound = (config.getOutbound() != null) ? config.getOutbound() : fallback;
		check("inbound", inbound);
		check("outbound", outbound);
		MessageLimits limits = new MessageLimits(inbound.toBytes(), outbound.toBytes());
		return ConnectionPolicy.filter("MaxMessageSize[inbound=" + describe(limits.inbound()) + ", outbound="
				+ describe(limits.outbound()) + "]", policy -> policy.messageLimits(limits));
	}

	private static void check(String name, DataSize size) {
		if (!MessageLimits.isValid(size)) {
			throw new IllegalArgumentException(
					"MaxMessageSize " + name + " must be -1 (unlimited) or a positive size, was " + size);
		}
	}

	private static String describe(long bytes) {
		return (bytes == MessageLimits.UNLIMITED) ? "unlimited" : bytes + "B";
	}

	/** Arguments of {@code MaxMessageSize}. */
	@Validated
	public static class Config {

		/** Both directions, unless {@link #inbound} or {@link #outbound} say otherwise. */
		private @Nullable DataSize size;

		/** Client to backend. */
		private @Nullable DataSize inbound;

		/** Backend to client. */
		private @Nullable DataSize outbound;

		public @Nullable DataSize getSize() {
			return this.size;
		}

		public Config setSize(@Nullable DataSize size) {
			this.size = size;
			return this;
		}

		public @Nullable DataSize getInbound() {
			return this.inbound;
		}

		public Config setInbound(@Nullable DataSize inbound) {
			this.inbound = inbound;
			return this;
		}

		public @Nullable DataSize getOutbound() {
			return this.outbound;
		}

		public Config setOutbound(@Nullable DataSize outbound) {
			this.outbound = outbound;
			return this;
		}

	}

}
