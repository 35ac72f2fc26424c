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

import org.springframework.http.HttpHeaders;

import io.wsgate.frames.FrameCaptureGatewayFilterFactory.Config;
import io.wsgate.frames.TrafficCaptures.CapturedConnection;
import io.wsgate.frames.TrafficCaptures.CapturedFrame;
import io.wsgate.frames.TrafficCaptures.RouteCapture;
import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.FrameTap;
import io.wsgate.proxy.FrameTapping;
import io.wsgate.proxy.Opcodes;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.SecretMask;
import io.wsgate.proxy.Side;

/**
 * A route's {@code FrameCapture}, as the relay calls it for each of the route's connections:
 * records the upgrade in the route's {@link TrafficCaptures} and opens a {@link FrameTap} that
 * keeps the connection's frames, with secrets masked by {@link SecretMask} (and the route's
 * {@code mask-patterns} and {@code mask-query-params}). One per route, and one per connection
 * with the names of the connection's credentials to mask besides the common ones.
 */
final class CaptureTapping implements FrameTapping {

	private static final int MAX_FRAMES = 100_000;

	private final TrafficCaptures captures;

	private final Config config;

	private final List<Pattern> masks;

	private final Set<String> maskedParams;

	private final SecretMask.Names names;

	private CaptureTapping(TrafficCaptures captures, Config config, List<Pattern> masks, Set<String> maskedParams,
			SecretMask.Names names) {
		this.captures = captures;
		this.config = config;
		this.masks = masks;
		this.maskedParams = maskedParams;
		this.names = names;
	}

	/** The route's tapping; a bad argument fails with an {@link IllegalArgumentException} naming it. */
	static CaptureTapping of(TrafficCaptures captures, Config config) {
		check("max-frames", config.getMaxFrames(), 1, MAX_FRAMES);
		check("max-frames-per-connection", config.getMaxFramesPerConnection(), 1, MAX_FRAMES);
		check("max-connections", config.getMaxConnections(), 1, 10_000);
		check("preview-bytes", config.getPreviewBytes(), 0, 4096);
		List<Pattern> masks = new ArrayList<>();
		for (String mask : config.getMaskPatterns()) {
			try {
				masks.add(Pattern.compile(mask));
			}
			catch (PatternSyntaxException ex) {
				throw new IllegalArgumentException(
						"mask-patterns: not a regular expression: " + ex.getDescription() + " in " + mask);
			}
		}
		Set<String> maskedParams = config.getMaskQueryParams()
			.stream()
			.map(name -> name.toLowerCase(Locale.ROOT))
			.collect(Collectors.toUnmodifiableSet());
		return new CaptureTapping(captures, config, masks, maskedParams, new SecretMask.Names());
	}

	private static void check(String argument, int value, int min, int max) {
		if (value < min || value > max) {
			throw new IllegalArgumentException(argument + " must be between " + min + " and " + max + ", was " + value);
		}
	}

	/** The same tapping, masking also the credentials of one connection. */
	CaptureTapping masking(SecretMask.Names names) {
		return new CaptureTapping(this.captures, this.config, this.masks, this.maskedParams, names);
	}

	@Override
	public int previewBytes() {
		return this.config.getPreviewBytes();
	}

	@Override
	public @Nullable FrameTap open(ProxiedConnection connection, URI requestUri, HttpHeaders request,
			HttpHeaders response) {
		RouteCapture route = this.captures.route(connection.routeId(), this.config.getMaxFrames(),
				this.config.getMaxConnections());
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
			if (this.kept >= CaptureTapping.this.config.getMaxFramesPerConnection()) {
				this.route.notKept();
				return;
			}
			this.kept++;
			String shown = (opcode == Opcodes.CLOSE || opcode == Opcodes.PING || opcode == Opcodes.PONG) ? "" : preview(preview, previewLength);
			this.route.add(new CapturedFrame(Instant.now(), this.connectionId,
					(from == Side.CLIENT) ? "inbound" : "outbound", Opcodes.name(opcode), fin, length, shown));
		}

		@Override
		public void closed(@Nullable CloseStatus status) {
			this.route.closed(this.connectionId, (status != null)
					? status.code() + " \"" + status.reason() + "\" by " + status.initiator() : "no close");
		}

	}

}
