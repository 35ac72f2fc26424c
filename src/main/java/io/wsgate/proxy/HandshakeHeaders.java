package io.wsgate.proxy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The header rules of the two handshakes. Toward the backend: end-to-end headers pass,
 * hop-by-hop (those the client named in {@code Connection} were removed on arrival, by
 * {@link ConnectionHeaderFilter}) and per-connection WebSocket headers do not (each side
 * negotiates its own key, version and extensions); {@code X-Forwarded-*} and
 * {@code Forwarded} are Spring Cloud Gateway's header filters' business, before these rules.
 * Toward the client: the backend's 101 headers pass, minus the same kinds.
 */
final class HandshakeHeaders {

	/** Hop-by-hop (RFC 9110 section 7.6.1) and per-connection handshake headers, lower case. */
	private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
			"proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
			"content-length", "host", "sec-websocket-key", "sec-websocket-accept", "sec-websocket-version",
			"sec-websocket-extensions", "sec-websocket-protocol");

	private HandshakeHeaders() {
	}

	/**
	 * The headers of the backend's handshake request, without the handshake's own (key,
	 * version, protocols), which the connector adds.
	 * @param request the client's request headers, after route filters changed them (and
	 * without the headers the client named in {@code Connection}) and after Spring Cloud
	 * Gateway's header filters (which decide {@code X-Forwarded-*} and {@code Forwarded})
	 * @param hostHeader the Host to send (the backend's, or the client's when preserved)
	 */
	static DefaultHttpHeaders toBackend(HttpHeaders request, String hostHeader) {
		// the headers the client named in Connection are gone already (ConnectionHeaderFilter):
		// what route filters added since then passes, even under a name the client listed
		DefaultHttpHeaders headers = new DefaultHttpHeaders();
		headers.set("Host", hostHeader);
		request.forEach((name, values) -> {
			if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
				headers.add(name, values);
			}
		});
		headers.set("Upgrade", "websocket");
		headers.set("Connection", "Upgrade");
		return headers;
	}

	/** The backend's 101 headers that the client's 101 carries too (Set-Cookie and the like). */
	static HttpHeaders toClient(io.netty.handler.codec.http.HttpHeaders backendResponse) {
		Set<String> listedInConnection = connectionTokens(backendResponse.getAll("Connection"));
		HttpHeaders headers = new HttpHeaders();
		for (var entry : backendResponse) {
			String lower = entry.getKey().toLowerCase(Locale.ROOT);
			if (!NOT_FORWARDED.contains(lower) && !listedInConnection.contains(lower)) {
				headers.add(entry.getKey(), entry.getValue());
			}
		}
		return headers;
	}

	/** The client's offered subprotocols, in order; tokens are comma separated, maybe over several headers. */
	static List<String> offeredProtocols(HttpHeaders request) {
		List<String> protocols = new ArrayList<>();
		for (String value : listOrEmpty(request.get("Sec-WebSocket-Protocol"))) {
			for (String token : value.split(",")) {
				String trimmed = token.trim();
				if (!trimmed.isEmpty()) {
					protocols.add(trimmed);
				}
			}
		}
		return protocols;
	}

	static boolean hasToken(@Nullable List<String> values, String token) {
		for (String value : listOrEmpty(values)) {
			for (String part : value.split(",")) {
				if (part.trim().equalsIgnoreCase(token)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Why the client's upgrade request is not a valid RFC 6455 opening handshake, or null if
	 * it is. The caller has already seen {@code Upgrade: websocket}.
	 */
	static @Nullable HandshakeProblem checkClientRequest(String method, HttpHeaders request) {
		if (!"GET".equals(method)) {
			return new HandshakeProblem(405, "a WebSocket handshake is a GET request");
		}
		if (!hasToken(request.get(HttpHeaders.CONNECTION), "upgrade")) {
			return new HandshakeProblem(400, "Connection header must contain Upgrade");
		}
		String version = request.getFirst("Sec-WebSocket-Version");
		if (!"13".equals(version == null ? null : version.trim())) {
			return new HandshakeProblem(426, "unsupported Sec-WebSocket-Version (13 is supported)");
		}
		List<String> keys = listOrEmpty(request.get("Sec-WebSocket-Key"));
		if (keys.size() != 1 || !isValidKey(keys.get(0).trim())) {
			return new HandshakeProblem(400, "Sec-WebSocket-Key must be one base64-encoded 16-byte value");
		}
		return null;
	}

	private static boolean isValidKey(String key) {
		try {
			return Base64.getDecoder().decode(key).length == 16;
		}
		catch (IllegalArgumentException ex) {
			return false;
		}
	}

	private static Set<String> connectionTokens(@Nullable List<String> values) {
		if (values == null || values.isEmpty()) {
			return Set.of();
		}
		HashSet<String> tokens = new HashSet<>();
		for (String value : values) {
			for (String token : value.split(",")) {
				tokens.add(token.trim().toLowerCase(Locale.ROOT));
			}
		}
		return tokens;
	}

	private static List<String> listOrEmpty(@Nullable List<String> values) {
		return (values != null) ? values : List.of();
	}

	/** An invalid client handshake: the status it is answered with, and why. */
	record HandshakeProblem(int status, String message) {
	}

}
