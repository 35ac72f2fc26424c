package io.wsgate.proxy;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * What operators are shown of a connection with its secrets replaced by {@value #MASK}: the
 * traffic capture (upgrade headers, query string, payload previews), the connection log line
 * and the session list use it. Masked, whatever the route:
 * <ul>
 * <li>headers {@code Authorization}, {@code Proxy-Authorization}, {@code Cookie},
 * {@code Set-Cookie}, {@code X-API-Key}, the handshake's key and accept, and any header whose
 * name contains one of the {@linkplain #isSecretName secret words};</li>
 * <li>query parameters named so (the name URL-decoded first, any case: {@code ?%6Awt=} is
 * {@code jwt});</li>
 * <li>subprotocols that carry a token: {@code bearer.<token>} (any dotted prefix with a secret
 * word, shown as {@code bearer.***}) and bare JWT shapes ({@code xxx.yyy.zzz});</li>
 * <li>in text previews, the values of JSON keys named so ({@code "authorization": "..."}),
 * {@code name=value} pairs named so, and {@code Bearer}/{@code Basic} credentials;</li>
 * <li>the names of the route's own credentials (a {@code WebSocketAuth} query parameter,
 * cookie, header, subprotocol prefix), which a route filter adds with {@link #names}.</li>
 * </ul>
 * Plain static functions, safe from any thread, no state but what the caller passes.
 */
public final class SecretMask {

	/** What a secret is shown as. */
	public static final String MASK = "***";

	private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
			"set-cookie", "x-api-key", "sec-websocket-key", "sec-websocket-accept");

	private static final String PROTOCOL_HEADER = "sec-websocket-protocol";

	/** Words that make a header, parameter or JSON key a secret one when its name contains them. */
	private static final Pattern SECRET_WORD = Pattern
		.compile("(?i)token|secret|pass|pwd|session|auth|key|jwt|bearer|cookie|credential|signature");

	/** A JSON Web Token's shape: three base64url segments, the first two long (or a JOSE header). */
	private static final Pattern JWT_SHAPE = Pattern
		.compile("(?:eyJ[A-Za-z0-9_-]*|[A-Za-z0-9_-]{16,})\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*");

	/** A JSON member: its key, the colon, and its value (a string, perhaps cut short, or a scalar). */
	private static final Pattern JSON_MEMBER = Pattern
		.compile("\"((?:[^\"\\\\]|\\\\.){1,64})\"(\\s{0,8}:\\s{0,8})(\"(?:[^\"\\\\]|\\\\.)*\"?|[^\\s,{}\\[\\]\"]+)");

	/**
	 * {@code name=value} (query strings, forms) or {@code name: value} to the end of the line
	 * (STOMP and other header-like text) outside JSON.
	 */
	private static final Pattern PAIR = Pattern.compile(
			"(?m)(?<![\\w\"])([A-Za-z][\\w.-]{0,63})(?:(=)([^\\s&;,\"'{}]+)|(:[ \\t]{0,8})([^\\r\\n]+))");

	/** An HTTP credential in free text: {@code Bearer <token>} (any case), {@code Basic <base64>}. */
	private static final Pattern SCHEME_CREDENTIAL = Pattern
		.compile("\\b((?i:bearer)|Basic)([ \\t]+)[A-Za-z0-9._~+/=-]{8,}");

	private static final String ATTRIBUTE = SecretMask.class.getName() + ".names";

	private SecretMask() {
	}

	/**
	 * The names of a route's credentials on this exchange, created on first use: a filter that
	 * reads credentials adds the names it reads, the capture masks them too.
	 */
	public static Names names(ServerWebExchange exchange) {
		return (Names) exchange.getAttributes().computeIfAbsent(ATTRIBUTE, key -> new Names());
	}

	/**
	 * Whether a header, parameter or JSON key of this name holds a secret: one of the words
	 * token, secret, pass, pwd, session, auth, key, jwt, bearer, cookie, credential, signature
	 * (any case) is in it, or it is one of {@code extra} (lower case).
	 */
	public static boolean isSecretName(String name, Set<String> extra) {
		return SECRET_WORD.matcher(name).find() || (!extra.isEmpty() && extra.contains(name.toLowerCase(Locale.ROOT)));
	}

	/** Headers as shown: every value of a secret header is {@value #MASK}, subprotocols masked one by one. */
	public static Map<String, List<String>> headers(HttpHeaders headers, Names names) {
		Set<String> extra = names.names();
		Map<String, List<String>> shown = new LinkedHashMap<>();
		headers.forEach((name, values) -> {
			String lower = name.toLowerCase(Locale.ROOT);
			if (lower.equals(PROTOCOL_HEADER)) {
				shown.put(name, values.stream().map(value -> subprotocols(value, names)).toList());
			}
			else if (SECRET_HEADERS.contains(lower) || isSecretName(lower, extra)) {
				shown.put(name, values.stream().map(value -> MASK).toList());
			}
			else {
				shown.put(name, List.copyOf(values));
			}
		});
		return shown;
	}

	/** A comma-separated subprotocol list with each token-carrying entry masked. */
	public static String subprotocols(String list, Names names) {
		StringJoiner shown = new StringJoiner(", ");
		for (String entry : list.split(",")) {
			String trimmed = entry.trim();
			if (!trimmed.isEmpty()) {
				shown.add(subprotocol(trimmed, names.prefixes()));
			}
		}
		return shown.toString();
	}

	/** One subprotocol as shown ({@code bearer.***}, {@value #MASK} for a bare token); null stays null. */
	public static @Nullable String subprotocol(@Nullable String protocol) {
		return (protocol != null) ? subprotocol(protocol, Set.of()) : null;
	}

	private static String subprotocol(String protocol, Set<String> prefixes) {
		for (String prefix : prefixes) {
			if (protocol.startsWith(prefix)) {
				return prefix + MASK;
			}
		}
		int from = 0;
		int dot;
		while ((dot = protocol.indexOf('.', from)) >= 0) {
			if (SECRET_WORD.matcher(protocol.substring(from, dot)).find()) {
				return protocol.substring(0, dot + 1) + MASK; // bearer.<token>, access_token.<token>
			}
			from = dot + 1;
		}
		return JWT_SHAPE.matcher(protocol).matches() ? MASK : protocol;
	}

	/**
	 * A raw query string as shown: the value of each parameter whose URL-decoded name is a
	 * secret one (or one of {@code extra}, lower case) is {@value #MASK}; the rest as sent.
	 */
	public static String query(String rawQuery, Names names, Set<String> extra) {
		Set<String> routeNames = names.names();
		StringJoiner shown = new StringJoiner("&");
		for (String pair : rawQuery.split("&", -1)) {
			int eq = pair.indexOf('=');
			if (eq < 0) {
				shown.add(pair);
				continue;
			}
			String name = decode(pair.substring(0, eq));
			boolean secret = isSecretName(name, routeNames) || extra.contains(name.toLowerCase(Locale.ROOT));
			shown.add(secret ? pair.substring(0, eq) + "=" + MASK : pair);
		}
		return shown.toString();
	}

	/**
	 * A text payload preview as shown: the values of JSON members and {@code name=value} pairs
	 * whose names are secret ones, and {@code Bearer}/{@code Basic} credentials, are {@value #MASK}.
	 * A preview cut inside a secret value is masked up to its end.
	 */
	public static String text(String text, Names names) {
		Set<String> extra = names.names();
		String shown = replace(JSON_MEMBER, text, member -> isSecretName(member.group(1), extra)
				? "\"" + member.group(1) + "\"" + member.group(2) + maskedValue(member.group(3)) : member.group());
		shown = replace(PAIR, shown, pair -> {
			boolean equals = pair.group(2) != null;
			String value = equals ? pair.group(3) : pair.group(5);
			return (isSecretName(pair.group(1), extra) && !value.equals(MASK))
					? pair.group(1) + (equals ? pair.group(2) : pair.group(4)) + MASK : pair.group();
		});
		return replace(SCHEME_CREDENTIAL, shown, credential -> credential.group(1) + credential.group(2) + MASK);
	}

	private static String maskedValue(String value) {
		if (!value.startsWith("\"")) {
			return MASK;
		}
		return (value.length() > 1 && value.endsWith("\"") && !value.endsWith("\\\"")) ? "\"" + MASK + "\""
				: "\"" + MASK;
	}

	private static String replace(Pattern pattern, String text, Function<Matcher, String> with) {
		Matcher matcher = pattern.matcher(text);
		if (!matcher.find()) {
			return text;
		}
		StringBuilder out = new StringBuilder(text.length());
		do {
			matcher.appendReplacement(out, Matcher.quoteReplacement(with.apply(matcher)));
		}
		while (matcher.find());
		matcher.appendTail(out);
		return out.toString();
	}

	private static String decode(String name) {
		try {
			return URLDecoder.decode(name, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return name; // a broken escape: matched as sent
		}
	}

	/**
	 * The names of one connection's credentials (lower case) and the subprotocol prefixes that
	 * carry them, as route filters add them. A route configures a handful, so this stays small.
	 */
	public static final class Names {

		private static final int MAX = 64;

		private volatile Set<String> names = Set.of();

		private volatile Set<String> prefixes = Set.of();

		/** Adds parameter, header or cookie names (matched in any case). */
		public synchronized Names add(Collection<String> more) {
			this.names = grown(this.names, more.stream().map(name -> name.toLowerCase(Locale.ROOT)).toList());
			return this;
		}

		/** Adds prefixes of subprotocols that carry a credential ({@code bearer.}). */
		public synchronized Names addProtocolPrefixes(Collection<String> more) {
			this.prefixes = grown(this.prefixes, more);
			return this;
		}

		Set<String> names() {
			return this.names;
		}

		Set<String> prefixes() {
			return this.prefixes;
		}

		private static Set<String> grown(Set<String> current, Collection<String> more) {
			Set<String> grown = new LinkedHashSet<>(current);
			for (String name : more) {
				if (grown.size() < MAX && name != null && !name.isEmpty()) {
					grown.add(name);
				}
			}
			return Set.copyOf(grown);
		}

	}

}
