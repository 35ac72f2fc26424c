package io.wsgate.frames;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.frames.TrafficCaptures.CapturedConnection;
import io.wsgate.frames.TrafficCaptures.CapturedFrame;
import io.wsgate.frames.TrafficCaptures.RouteCapture;
import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.FrameTap;
import io.wsgate.proxy.FrameTapping;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.SecretMask;
import io.wsgate.proxy.Side;

/**
 * {@code FrameCapture}: keeps a route's recent frames (time, connection, direction, opcode,
 * fin, length, and a preview of the first bytes with secrets masked) and its recent
 * connections' upgrades (request and response headers, credentials masked), bounded per
 * connection and per route, for {@code GET /actuator/wstraffic}. Off unless a route has it.
 *
 * <p>Every argument is described in docs/inspection.md ("Traffic capture").
 */
public class FrameCaptureGatewayFilterFactory
		extends AbstractGatewayFilterFactory<FrameCaptureGatewayFilterFactory.Config> {

	private static final int MAX_FRAMES = 100_000;

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
		List<Pattern> masks = new ArrayList<>();
		try {
			check("max-frames", config.getMaxFrames(), 1, MAX_FRAMES);
			check("max-frames-per-connection", config.getMaxFramesPerConnection(), 1, MAX_FRAMES);
			check("max-connections", config.getMaxConnections(), 1, 10_000);
			check("preview-bytes", config.getPreviewBytes(), 0, 4096);
			for (String mask : config.getMaskPatterns()) {
				try {
					masks.add(Pattern.compile(mask));
				}
				catch (PatternSyntaxException ex) {
					throw new IllegalArgumentException(
							"mask-patterns: not a regular expression: " + ex.getDescription() + " in " + mask);
				}
			}
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("FrameCapture: " + ex.getMessage(), ex);
		}
		Set<String> maskedParams = config.getMaskQueryParams()
			.stream()
			.map(name -> name.toLowerCase(Locale.ROOT))
			.collect(Collectors.toUnmodifiableSet());
		Tapping tapping = new Tapping(config, masks, maskedParams);
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

	private static void check(String argument, int value, int min, int max) {
		if (value < min || value > max) {
			throw new IllegalArgumentException(argument + " must be between " + min + " and " + max + ", was " + value);
		}
	}

	/**
	 * What the relay calls for each connection of the route: one per connection, with the names
	 * of the connection's credentials to mask besides the common ones.
	 */
	private final class Tapping implements FrameTapping {

		private final Config config;

		private final List<Pattern> masks;

		private final Set<String> maskedParams;

		private final SecretMask.Names names;

		Tapping(Config config, List<Pattern> masks, Set<String> maskedParams) {
			this(config, masks, maskedParams, new SecretMask.Names());
		}

		private Tapping(Config config, List<Pattern> masks, Set<String> maskedParams, SecretMask.Names names) {
			this.config = config;
			this.masks = masks;
			this.maskedParams = maskedParams;
			this.names = names;
		}

		Tapping masking(SecretMask.Names names) {
			return new Tapping(this.config, this.masks, this.maskedParams, names);
		}

		@Override
		public int previewBytes() {
			return this.config.getPreviewBytes();
		}

		@Override
		public @Nullable FrameTap open(ProxiedConnection connection, URI requestUri, HttpHeaders request,
				HttpHeaders response) {
			RouteCapture route = FrameCaptureGatewayFilterFactory.this.captures.route(connection.routeId(),
					this.config.getMaxFrames(), this.config.getMaxConnections());
			route.opened(new CapturedConnection(connection.id(), connection.startedAt(),
					String.valueOf(connection.clientAddress()), connection.backend().toString(),
					TrafficCaptures.uriWithoutSecrets(requestUri, this::maskQuery), masked(request), 101,
					masked(response), null));
			return new Tap(connection.id(), route);
		}

		private String maskQuery(String query) {
			return SecretMask.query(query, this.names, this.maskedParams);
		}

		private Map<String, List<String>> masked(HttpHeaders headers) {
			return SecretMask.headers(headers, this.names);
		}

		/** The first bytes as text with secrets masked, or as base64 when they are not text. */
		private String preview(byte[] bytes, int length) {
			if (length == 0) {
				return "";
			}
			String text = utf8(bytes, length);
			if (text == null) {
				return "base64:" + Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, length));
			}
			for (Pattern mask : this.masks) {
				text = mask.matcher(text).replaceAll(SecretMask.MASK);
			}
			return SecretMask.text(text, this.names);
		}

		/** One connection's tap: counts its frames and keeps at most max-frames-per-connection. */
		private final class Tap implements FrameTap {

			private final String connectionId;

			private final RouteCapture route;

			private int kept;

			Tap(String connectionId, RouteCapture route) {
				this.connectionId = connectionId;
				this.route = route;
			}

			@Override
			public void frame(Side from, int opcode, boolean fin, long length, byte[] preview, int previewLength) {
				if (this.kept >= Tapping.this.config.getMaxFramesPerConnection()) {
					this.route.notKept();
					return;
				}
				this.kept++;
				String shown = (opcode == 0x8 || opcode == 0x9 || opcode == 0xA) ? "" : preview(preview, previewLength);
				this.route.add(new CapturedFrame(Instant.now(), this.connectionId,
						(from == Side.CLIENT) ? "inbound" : "outbound", opcodeName(opcode), fin, length, shown));
			}

			@Override
			public void closed(@Nullable CloseStatus status) {
				this.route.closed(this.connectionId, (status != null)
						? status.code() + " \"" + status.reason() + "\" by " + status.initiator() : "no close");
			}

		}

	}

	/** The bytes as text if they are printable UTF-8 (a preview may cut the last character in two). */
	private static @Nullable String utf8(byte[] bytes, int length) {
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		for (int cut = 0; cut <= 3 && cut < length; cut++) {
			try {
				String text = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length - cut)).toString();
				return text.chars().allMatch(c -> c >= 0x20 || c == '\t' || c == '\n' || c == '\r') ? text : null;
			}
			catch (CharacterCodingException ex) {
				// try without one more byte
			}
		}
		return null;
	}

	static String opcodeName(int opcode) {
		return switch (opcode) {
			case 0x0 -> "continuation";
			case 0x1 -> "text";
			case 0x2 -> "binary";
			case 0x8 -> "close";
			case 0x9 -> "ping";
			case 0xA -> "pong";
			default -> "reserved-" + opcode;
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
