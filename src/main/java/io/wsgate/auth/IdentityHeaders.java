package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Who the client is, told to the backend in request headers: claim name to header name
 * ({@code sub} to {@code X-Auth-Subject}, {@code scope} to {@code X-Auth-Scopes},
 * {@code key_id} to {@code X-Auth-Key-Id}). Each of these headers is removed from the
 * client's request first, so that a client cannot pose as someone else by sending them.
 *
 * <p>Values: text as it is, a list joined with commas, a time as epoch seconds; a claim that
 * is an object, or longer than {@value #MAX_VALUE_LENGTH} characters, sets no header.
 * Characters outside printable ASCII are percent-encoded (UTF-8).
 */
final class IdentityHeaders {

	static final int MAX_VALUE_LENGTH = 4096;

	/** Headers the handshake itself owns. */
	private static final Set<String> RESERVED = Set.of("host", "connection", "upgrade", "content-length",
			"transfer-encoding", "authorization", "cookie", "origin", "sec-websocket-key", "sec-websocket-version",
			"sec-websocket-protocol", "sec-websocket-extensions", "x-forwarded-for", "x-forwarded-host",
			"x-forwarded-proto");

	private final Map<String, String> claimToHeader;

	private IdentityHeaders(Map<String, String> claimToHeader) {
		this.claimToHeader = claimToHeader;
	}

	/** @throws IllegalArgumentException for a header name that is not one, or one the handshake owns */
	static IdentityHeaders of(Map<String, String> claimToHeader) {
		Map<String, String> checked = new LinkedHashMap<>();
		claimToHeader.forEach((claim, header) -> {
			String name = (header != null) ? header.trim() : "";
			if (name.isEmpty() || !name.chars().allMatch(IdentityHeaders::isTokenChar)) {
				throw new IllegalArgumentException(
						"identity-headers." + claim + ": '" + header + "' is not a header name");
			}
			if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException("identity-headers." + claim + ": " + name
						+ " belongs to the handshake and cannot carry an identity");
			}
			checked.put(claim, name);
		});
		return new IdentityHeaders(Map.copyOf(checked));
	}

	/** Removes what the client sent under these names, then sets them from the principal. */
	void apply(HttpHeaders headers, WebSocketPrincipal principal) {
		this.claimToHeader.values().forEach(headers::remove);
		this.claimToHeader.forEach((claim, header) -> {
			String value = render(principal.claim(claim));
			if (value != null) {
				headers.set(header, value);
			}
		});
	}

	static @Nullable String render(@Nullable Object value) {
		String text;
		if (value == null) {
			return null;
		}
		if (value instanceof Instant instant) {
			text = Long.toString(instant.getEpochSecond());
		}
		else if (value instanceof Collection<?> list) {
			StringJoiner joined = new StringJoiner(",");
			for (Object item : list) {
				if (item instanceof Map<?, ?> || item instanceof Collection<?>) {
					return null;
				}
				joined.add(String.valueOf(item));
			}
			text = joined.toString();
		}
		else if (value instanceof Map<?, ?>) {
			return null;
		}
		else {
			text = String.valueOf(value);
		}
		return (text.length() > MAX_VALUE_LENGTH) ? null : printable(text);
	}

	private static String printable(String text) {
		if (text.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
			return text;
		}
		StringBuilder out = new StringBuilder();
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			int c = b & 0xff;
			if (c >= 0x20 && c < 0x7f) {
				out.append((char) c);
			}
			else {
				out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
					.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
			}
		}
		return out.toString();
	}

	private static boolean isTokenChar(int c) {
		return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
	}

	@Override
	public String toString() {
		return this.claimToHeader.toString();
	}

}
