package io.wsgate.auth;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

import io.wsgate.auth.AuthConfig.TokenSource;
import io.wsgate.proxy.SecretMask;
import io.wsgate.proxy.WebSocketProxyFilter;

/**
 * Where a route's credentials are found in the upgrade request, and their removal from the
 * request the backend gets. The search order: the bearer-token sources as configured, then
 * the API key header and query parameter, then {@code Authorization: Basic}; the first
 * credential found is the one checked. Every place a credential may be is cleared before
 * the request goes on, whichever was used.
 */
final class CredentialSources {

	private static final String PROTOCOL_HEADER = "Sec-WebSocket-Protocol";

	enum Kind {

		BEARER, API_KEY, BASIC

	}

	/** A credential and where it was found ({@code header}, {@code query}, ...), for the log. */
	record Credential(Kind kind, String value, String source) {

		@Override
		public String toString() {
			return this.kind + " from " + this.source; // never the value
		}

	}

	/** The request carries a credential in a way that cannot be read (two tokens, an empty one). */
	static final class MalformedException extends Exception {

		MalformedException(String message) {
			super(message, null, false, false);
		}

	}

	private final List<TokenSource> tokenSources;

	private final String tokenParam;

	private final String protocolPrefix;

	private final String cookie;

	private final @Nullable String apiKeyHeader;

	private final @Nullable String apiKeyParam;

	private final boolean basic;

	private final Set<String> strippedParams = new HashSet<>();

	CredentialSources(AuthConfig config, boolean jwt, boolean apiKeys, boolean basic) {
		this.tokenSources = jwt ? List.copyOf(config.getTokenSources()) : List.of();
		this.tokenParam = requireToken("query-param", config.getQueryParam());
		this.protocolPrefix = requireToken("protocol-prefix", config.getProtocolPrefix());
		this.cookie = requireToken("cookie", config.getCookie());
		this.apiKeyHeader = apiKeys ? requireToken("api-keys.header", config.getApiKeys().getHeader()) : null;
		String apiKeyParam = apiKeys ? config.getApiKeys().getQueryParam() : null;
		this.apiKeyParam = (apiKeyParam != null) ? requireToken("api-keys.query-param", apiKeyParam) : null;
		this.basic = basic;
		if (this.tokenSources.contains(TokenSource.QUERY)) {
			this.strippedParams.add(this.tokenParam);
		}
		if (this.apiKeyParam != null) {
			this.strippedParams.add(this.apiKeyParam);
		}
	}

	/** The first credential in the request, or null if there is none. */
	@Nullable Credential find(ServerHttpRequest request) throws MalformedException {
		HttpHeaders headers = request.getHeaders();
		for (TokenSource source : this.tokenSources) {
			String token = switch (source) {
				case HEADER -> authorization(headers, "Bearer");
				case QUERY -> single("query parameter " + this.tokenParam,
						request.getQueryParams().get(this.tokenParam));
				case PROTOCOL -> protocolToken(headers);
				case COOKIE -> cookie(request.getCookies().get(this.cookie));
			};
			if (token != null) {
				return new Credential(Kind.BEARER, token, source.name().toLowerCase(Locale.ROOT));
			}
		}
		if (this.apiKeyHeader != null) {
			String key = single("header " + this.apiKeyHeader, headers.get(this.apiKeyHeader));
			if (key != null) {
				return new Credential(Kind.API_KEY, key, "header");
			}
			if (this.apiKeyParam != null) {
				key = single("query parameter " + this.apiKeyParam, request.getQueryParams().get(this.apiKeyParam));
				if (key != null) {
					return new Credential(Kind.API_KEY, key, "query");
				}
			}
		}
		if (this.basic) {
			String basic = authorization(headers, "Basic");
			if (basic != null) {
				return new Credential(Kind.BASIC, basic, "header");
			}
		}
		return null;
	}

	/** Tells the capture's masking where this route's credentials are (their names, never values). */
	void nameSecrets(SecretMask.Names names) {
		List<String> named = new ArrayList<>(List.of(this.tokenParam, this.cookie));
		if (this.apiKeyHeader != null) {
			named.add(this.apiKeyHeader);
		}
		if (this.apiKeyParam != null) {
			named.add(this.apiKeyParam);
		}
		names.add(named).addProtocolPrefixes(List.of(this.protocolPrefix));
	}

	/** Removes every header a credential may be in; {@code headers} is the forwarded request's. */
	void stripHeaders(HttpHeaders headers) {
		if (this.tokenSources.contains(TokenSource.HEADER) || this.basic) {
			headers.remove(HttpHeaders.AUTHORIZATION);
		}
		if (this.apiKeyHeader != null) {
			headers.remove(this.apiKeyHeader);
		}
		if (this.tokenSources.contains(TokenSource.PROTOCOL) && headers.containsHeader(PROTOCOL_HEADER)) {
			List<String> kept = new ArrayList<>();
			for (String protocol : WebSocketProxyFilter.offeredProtocols(headers)) {
				if (!protocol.startsWith(this.protocolPrefix)) {
					kept.add(protocol);
				}
			}
			headers.remove(PROTOCOL_HEADER);
			if (!kept.isEmpty()) {
				headers.set(PROTOCOL_HEADER, String.join(", ", kept));
			}
		}
		if (this.tokenSources.contains(TokenSource.COOKIE) && headers.containsHeader(HttpHeaders.COOKIE)) {
			StringJoiner kept = new StringJoiner("; ");
			for (String value : headers.get(HttpHeaders.COOKIE)) {
				for (String pair : value.split(";")) {
					String trimmed = pair.trim();
					int eq = trimmed.indexOf('=');
					String name = (eq >= 0) ? trimmed.substring(0, eq).trim() : trimmed;
					if (!trimmed.isEmpty() && !name.equals(this.cookie)) {
						kept.add(trimmed);
					}
				}
			}
			headers.remove(HttpHeaders.COOKIE);
			if (kept.length() > 0) {
				headers.set(HttpHeaders.COOKIE, kept.toString());
			}
		}
	}

	/**
	 * The URI without the query parameters a credential may be in, the rest of it byte for
	 * byte as the client sent it; the same URI if there were none.
	 */
	URI stripQuery(URI uri) {
		String query = uri.getRawQuery();
		if (query == null || this.strippedParams.isEmpty()) {
			return uri;
		}
		StringJoiner kept = new StringJoiner("&");
		boolean removed = false;
		for (String pair : query.split("&")) {
			int eq = pair.indexOf('=');
			String name = decode((eq >= 0) ? pair.substring(0, eq) : pair);
			if (this.strippedParams.contains(name)) {
				removed = true;
			}
			else if (!pair.isEmpty()) {
				kept.add(pair);
			}
		}
		if (!removed) {
			return uri;
		}
		StringBuilder rebuilt = new StringBuilder();
		rebuilt.append(uri.getScheme()).append("://").append(uri.getRawAuthority());
		if (uri.getRawPath() != null) {
			rebuilt.append(uri.getRawPath());
		}
		if (kept.length() > 0) {
			rebuilt.append('?').append(kept);
		}
		if (uri.getRawFragment() != null) {
			rebuilt.append('#').append(uri.getRawFragment());
		}
		return URI.create(rebuilt.toString());
	}

	private static String decode(String value) {
		try {
			return URLDecoder.decode(value, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return value;
		}
	}

	private static @Nullable String authorization(HttpHeaders headers, String scheme) throws MalformedException {
		List<String> values = headers.get(HttpHeaders.AUTHORIZATION);
		if (values == null || values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw new MalformedException("more than one Authorization header");
		}
		String value = values.get(0).trim();
		if (value.length() < scheme.length() || !value.regionMatches(true, 0, scheme, 0, scheme.length())
				|| (value.length() > scheme.length() && value.charAt(scheme.length()) != ' ')) {
			return null; // another scheme
		}
		String credential = value.substring(scheme.length()).trim();
		if (credential.isEmpty()) {
			throw new MalformedException("empty " + scheme + " credentials");
		}
		return credential;
	}

	private @Nullable String protocolToken(HttpHeaders headers) throws MalformedException {
		String token = null;
		for (String protocol : WebSocketProxyFilter.offeredProtocols(headers)) {
			if (protocol.startsWith(this.protocolPrefix)) {
				if (token != null) {
					throw new MalformedException("more than one token in Sec-WebSocket-Protocol");
				}
				token = protocol.substring(this.protocolPrefix.length());
				if (token.isEmpty()) {
					throw new MalformedException("empty token in Sec-WebSocket-Protocol");
				}
			}
		}
		return token;
	}

	private @Nullable String cookie(@Nullable List<HttpCookie> cookies) throws MalformedException {
		if (cookies == null || cookies.isEmpty()) {
			return null;
		}
		if (cookies.size() > 1) {
			throw new MalformedException("more than one cookie " + this.cookie);
		}
		String value = cookies.get(0).getValue();
		return value.isEmpty() ? null : value;
	}

	private static @Nullable String single(String what, @Nullable List<String> values) throws MalformedException {
		if (values == null || values.isEmpty()) {
			return null;
		}
		if (values.size() > 1) {
			throw new MalformedException("more than one " + what);
		}
		String value = values.get(0);
		if (value == null || value.isBlank()) {
			throw new MalformedException("empty " + what);
		}
		return value.trim();
	}

	private static String requireToken(String argument, @Nullable String value) {
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException(argument + " may not be empty");
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c <= 0x20 || c >= 0x7f || "\"(),:;<=>?@[\\]{}&".indexOf(c) >= 0) {
				throw new IllegalArgumentException(argument + " '" + value + "' has a character a header name, "
						+ "cookie or parameter name may not have");
			}
		}
		return value;
	}

}
