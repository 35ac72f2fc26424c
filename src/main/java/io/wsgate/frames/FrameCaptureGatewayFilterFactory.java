package io.wsgate.frames;

import java.util.ArrayList;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.SecretMask;

/**
 * {@code FrameCapture}: keeps a route's recent frames (time, connection, direction, opcode,
 * fin, length, and a preview of the first bytes with secrets masked) and its recent
 * connections' upgrades (request and response headers, credentials masked), bounded per
 * connection and per route, for {@code GET /actuator/wstraffic}. Off unless a route has it.
 * The capturing itself is {@link CaptureTapping}'s.
 *
 * <p>Every argument is described in docs/inspection.md ("Traffic capture").
 */
public class FrameCaptureGatewayFilterFactory
		extends AbstractGatewayFilterFactory<FrameCaptureGatewayFilterFactory.Config> {

	private final TrafficCaptures captures;

	public FrameCaptureGatewayFilterFactory(TrafficCaptures captures) {
		super(Config.class);
		this.captures = captures;
	}

	@Override
	public List<String> shortcutFieldOrder() {
		return List.of("maxFrames", "previewBytes");
	}

	@Override
	public GatewayFilter apply(Config config) {
		CaptureTapping tapping;
		try {
			tapping = CaptureTapping.of(this.captures, config);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("FrameCapture: " + ex.getMessage(), ex);
		}
		String description = "FrameCapture[max-frames=" + config.getMaxFrames() + ", preview-bytes="
				+ config.getPreviewBytes() + "]";
		return new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				// the route's credential names, as its WebSocketAuth adds them (before or after this filter)
				ConnectionPolicy.of(exchange).tapping(tapping.masking(SecretMask.names(exchange)));
				return chain.filter(exchange);
			}

			@Override
			public String toString() {
				return description;
			}
		};
	}

	/** Arguments of {@code FrameCapture}. */
	public static class Config {

		/** Frames kept for the route, newest replacing oldest. */
		private int maxFrames = 1000;

		/** Frames kept of any one connection (the rest are counted, not kept). */
		private int maxFramesPerConnection = 100;

		/** Upgrades (connections) kept for the route. */
		private int maxConnections = 100;

		/** Payload bytes shown per frame. */
		private int previewBytes = 128;

		/** Regular expressions whose matches in a text preview are shown as {@code ***}. */
		private List<String> maskPatterns = new ArrayList<>(List.of(
				"(?i)(?<=\"(password|passwd|secret|token|access_token|refresh_token|api_key|apikey)\"\\s{0,8}:\\s{0,8}\")[^\"]*"));

		/** Query parameters whose values are shown as {@code ***}. */
		private List<String> maskQueryParams = new ArrayList<>(
				List.of("access_token", "token", "api_key", "apikey", "key", "password", "secret"));

		public int getMaxFrames() {
			return this.maxFrames;
		}

		public Config setMaxFrames(int maxFrames) {
			this.maxFrames = maxFrames;
			return this;
		}

		public int getMaxFramesPerConnection() {
			return this.maxFramesPerConnection;
		}

		public Config setMaxFramesPerConnection(int maxFramesPerConnection) {
			this.maxFramesPerConnection = maxFramesPerConnection;
			return this;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public Config setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
			return this;
		}

		public int getPreviewBytes() {
			return this.previewBytes;
		}

		public Config setPreviewBytes(int previewBytes) {
			this.previewBytes = previewBytes;
			return this;
		}

		public List<String> getMaskPatterns() {
			return this.maskPatterns;
		}

		public Config setMaskPatterns(List<String> maskPatterns) {
			this.maskPatterns = maskPatterns;
			return this;
		}

		public List<String> getMaskQueryParams() {
			return this.maskQueryParams;
		}

		public Config setMaskQueryParams(List<String> maskQueryParams) {
			this.maskQueryParams = maskQueryParams;
			return this;
		}

	}

}
