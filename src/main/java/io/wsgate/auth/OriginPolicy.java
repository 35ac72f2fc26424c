package io.wsgate.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The {@code Origin} check against cross-site WebSocket hijacking: a browser's page on another
 * site can open a WebSocket to the gateway and the browser sends the user's cookies along;
 * only the {@code Origin} header tells the two apart. Origins match exactly, as
 * {@code scheme://host[:port]} with the scheme and host in lower case and a default port
 * (80 for http, 443 for https) left out: no substrings, no wildcards, no suffixes.
 */
final class OriginPolicy {

	private final Set<String> allowed;

	private final boolean allowMissing;

	private OriginPolicy(Set<String> allowed, boolean allowMissing) {
		this.allowed = allowed;
		this.allowMissing = allowMissing;
	}

	/**
	 * @param allowed the allowed origins; empty allows any
	 * @param allowMissing whether a request without {@code Origin} (not from a browser) passes
	 * @throws IllegalArgumentException for an entry that is not an origin
	 */
	static OriginPolicy of(List<String> allowed, boolean allowMissing) {
		Set<String> normalized = new LinkedHashSet<>();
		for (String entry : allowed) {
			String origin = (entry != null) ? normalize(entry.trim()) : null;
			if (origin == null) {
				throw new IllegalArgumentException("allowed-origins entry '" + entry
						+ "' is not an origin: scheme://host[:port], no path, no wildcard");
			}
			normalized.add(origin);
		}
		return new OriginPolicy(Set.copyOf(normalized), allowMissing);
	}

	boolean restricts() {
		return !this.allowed.isEmpty();
	}

	/** Why the request's origin is refused, or null if it may pass. */
	@Nullable String check(HttpHeaders headers) {
		List<String> origins = headers.get(HttpHeaders.ORIGIN);
		if (origins == null || origins.isEmpty()) {
			return this.allowMissing ? null : "Origin header required";
		}
		if (origins.size() > 1) {
			return "more than one Origin header";
		}
		if (this.allowed.isEmpty()) {
			return null;
		}
		String origin = normalize(origins.get(0).trim());
		return (origin != null && this.allowed.contains(origin)) ? null : "origin not allowed";
	}

	/** {@code scheme://host[:port]} in canonical form, or null if {@code value} is not an origin. */
	static @Nullable String normalize(String value) {
		if (value.isEmpty() || value.equals("null") || value.contains("*")) {
			return null;
		}
		URI uri;
		try {
			uri = new URI(value);
		}
		catch (URISyntaxException ex) {
			return null;
		}
		String scheme = uri.getScheme();
		String host = uri.getHost();
		if (scheme == null || host == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
				|| uri.getRawFragment() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
			return null;
		}
		scheme = scheme.toLowerCase(Locale.ROOT);
		host = host.toLowerCase(Locale.ROOT);
		int port = uri.getPort();
		boolean defaultPort = port == -1 || (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
				|| (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
		return defaultPort ? scheme + "://" + host : scheme + "://" + host + ":" + port;
	}

	@Override
	public String toString() {
		return this.allowed.isEmpty() ? "any" : String.join(" ", this.allowed);
	}

}
