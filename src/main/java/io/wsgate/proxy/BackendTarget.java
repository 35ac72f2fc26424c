package io.wsgate.proxy;

import java.net.URI;
import java.util.Locale;

/**
 * Where a connection goes: the URI Spring Cloud Gateway resolved for the route and request
 * ({@code ws}, {@code wss}, {@code http} or {@code https}), taken apart for dialling.
 */
record BackendTarget(URI uri, String host, int port, boolean secure, String pathAndQuery, String authority) {

	static BackendTarget of(URI uri) {
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		boolean secure = scheme.equals("wss") || scheme.equals("https");
		int defaultPort = secure ? 443 : 80;
		String host = uri.getHost();
		if (host == null || host.isEmpty()) {
			throw new IllegalArgumentException("backend URI has no host: " + uri);
		}
		int port = (uri.getPort() > 0) ? uri.getPort() : defaultPort;
		String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) ? "/" : uri.getRawPath();
		String pathAndQuery = (uri.getRawQuery() != null) ? path + "?" + uri.getRawQuery() : path;
		String authority = (port == defaultPort) ? host : host + ":" + port;
		String dialHost = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		return new BackendTarget(uri, dialHost, port, secure, pathAndQuery, authority);
	}

	static boolean isWebSocketScheme(String scheme) {
		return "ws".equalsIgnoreCase(scheme) || "wss".equalsIgnoreCase(scheme);
	}

	static boolean isHttpScheme(String scheme) {
		return "http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme);
	}

	/** The URI without query or fragment, for logs and the registry. */
	URI withoutQuery() {
		return URI.create(this.uri.getScheme() + "://" + this.authority
				+ ((this.uri.getRawPath() == null || this.uri.getRawPath().isEmpty()) ? "/" : this.uri.getRawPath()));
	}

}
