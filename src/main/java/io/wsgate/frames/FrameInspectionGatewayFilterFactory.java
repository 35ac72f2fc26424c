package io.wsgate.frames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.resources.TrustedResources;

/**
 * {@code FrameInspection}: a route's whole messages go through a chain of hooks per direction
 * ({@code inbound}: client to backend, {@code outbound}: backend to client) before they are
 * passed on: built-in checks ({@code max-size}, {@code json}, {@code json-schema}, {@code deny},
 * {@code rate-limit}) and user hooks
 * (Spring beans implementing {@link FrameHook}, named {@code bean}). A direction without hooks
 * is relayed as bytes, as on a route without this filter.
 *
 * <p>Every argument is described in docs/inspection.md; one hook's are {@link HookConfig}'s.
 */
public class FrameInspectionGatewayFilterFactory
		extends AbstractGatewayFilterFactory<FrameInspectionGatewayFilterFactory.Config> {

	private final HookChainBuilder chains;

	public FrameInspectionGatewayFilterFactory(BeanFactory beans, List<InspectionListener> listeners,
			TrustedResources resources) {
		super(Config.class);
		this.chains = new HookChainBuilder(beans, listeners, resources);
	}

	@Override
	public GatewayFilter apply(Config config) {
		HookChain chain;
		try {
			chain = this.chains.build(config);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("FrameInspection: " + ex.getMessage(), ex);
		}
		return ConnectionPolicy.filter("FrameInspection[" + chain + "]", policy -> policy.inspection(chain));
	}

	/** Arguments of {@code FrameInspection}. */
	public static class Config {

		/** Hooks for messages from the client, in order. */
		private List<HookConfig> inbound = new ArrayList<>();

		/** Hooks for messages from the backend, in order. */
		private List<HookConfig> outbound = new ArrayList<>();

		/** How long an asynchronous hook may take. */
		private Duration asyncTimeout = Duration.ofSeconds(1);

		/** Whether a message whose asynchronous hook timed out passes (else: close 1011). */
		private boolean passOnTimeout;

		/** What the route's text messages are (Axway's "default MIME type"); {@code json} needs a JSON type. */
		private String contentType = "application/json";

		public String getContentType() {
			return this.contentType;
		}

		public Config setContentType(String contentType) {
			this.contentType = contentType;
			return this;
		}

		public List<HookConfig> getInbound() {
			return this.inbound;
		}

		public Config setInbound(List<HookConfig> inbound) {
			this.inbound = inbound;
			return this;
		}

		public List<HookConfig> getOutbound() {
			return this.outbound;
		}

		public Config setOutbound(List<HookConfig> outbound) {
			this.outbound = outbound;
			return this;
		}

		public Duration getAsyncTimeout() {
			return this.asyncTimeout;
		}

		public Config setAsyncTimeout(Duration asyncTimeout) {
			this.asyncTimeout = asyncTimeout;
			return this;
		}

		public boolean isPassOnTimeout() {
			return this.passOnTimeout;
		}

		public Config setPassOnTimeout(boolean passOnTimeout) {
			this.passOnTimeout = passOnTimeout;
			return this;
		}

	}

}
