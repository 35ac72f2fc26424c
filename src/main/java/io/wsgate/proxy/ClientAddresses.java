package io.wsgate.proxy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import reactor.netty.Connection;

import org.springframework.cloud.gateway.filter.headers.TrustedProxies;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who a request comes from: the TCP peer, unless the peer is a trusted proxy
 * ({@code spring.cloud.gateway.server.webflux.trusted-proxies}, a regular expression over IP
 * addresses), then the rightmost hop of {@code Forwarded} (else {@code X-Forwarded-For}) that
 * is not a trusted proxy. Hops left of an untrusted one are never believed: any client can
 * write them. Spring's own forwarded-header support ({@code server.forward-headers-strategy})
 * is not used here, because it takes the leftmost hop, which the client chooses.
 */
public final class ClientAddresses {

	private final @Nullable TrustedProxies trusted;

	/** @param trusted the proxies whose forwarded headers are believed; null: none */
	public ClientAddresses(@Nullable TrustedProxies trusted) {
		this.trusted = trusted;
	}

	/** Whether any proxy is trusted. */
	public boolean trustsProxies() {
		return this.trusted != null;
	}

	/** The client's address, or null when the request has no remote address. */
	public @Nullable InetAddress resolve(ServerWebExchange exchange) {
		ServerHttpRequest request = exchange.getRequest();
		InetAddress peer = peer(request);
		if (peer == null || this.trusted == null || !this.trusted.isTrusted(peer.getHostAddress())) {
			return peer;
		}
		return fromHeaders(request.getHeaders(), peer);
	}

	/** The address that counts for per-client limits: IPv6 addresses by their /64 network. */
	public static InetAddress limitKey(InetAddress address) {
		if (!(address instanceof Inet6Address)) {
			return address;
		}
		byte[] bytes = address.getAddress();
		for (int i = 8; i < bytes.length; i++) {
			bytes[i] = 0;
		}
		try {
			return InetAddress.getByAddress(bytes);
		}
		catch (UnknownHostException ex) {
			throw new IllegalStateException(ex); // 16 bytes are always an address
		}
	}

	/** The TCP peer (a forwarded-header transformer may have replaced the request's remote address). */
	private static @Nullable InetAddress peer(ServerHttpRequest request) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		SocketAddress remote = (nativeRequest instanceof Connection connection) ? connection.channel().remoteAddress()
				: request.getRemoteAddress();
		if (remote instanceof InetSocketAddress socket && socket.getAddress() != null) {
			return socket.getAddress();
		}
		return null;
	}

	private InetAddress fromHeaders(HttpHeaders headers, InetAddress peer) {
		List<String> hops = forwardedHops(headers);
		InetAddress nearest = peer;
		for (int i = hops.size() - 1; i >= 0; i--) {
			InetAddress hop = parse(hops.get(i));
			if (hop == null) {
				return nearest; // "unknown", an obfuscated name or garbage: the proxy that wrote it is what we know
			}
			if (!this.trusted.isTrusted(hop.getHostAddress())) {
				return hop;
			}
			nearest = hop;
		}
		return nearest;
	}

	/** The {@code for=} hops of {@code Forwarded}, else the {@code X-Forwarded-For} hops, left to right. */
	private static List<String> forwardedHops(HttpHeaders headers) {
		List<String> hops = new ArrayList<>();
		List<String> forwarded = headers.get("Forwarded");
		if (forwarded != null && !forwarded.isEmpty()) {
			for (String value : forwarded) {
				for (String element : value.split(",")) {
					String hop = null;
					for (String pair : element.split(";")) {
						int equals = pair.indexOf('=');
						if (equals > 0 && pair.substring(0, equals).trim().equalsIgnoreCase("for")) {
							hop = pair.substring(equals + 1).trim();
						}
					}
					hops.add((hop != null) ? hop : "");
				}
			}
			return hops;
		}
		List<String> xff = headers.get("X-Forwarded-For");
		if (xff != null) {
			for (String value : xff) {
				for (String hop : value.split(",")) {
					hops.add(hop.trim());
				}
			}
		}
		return hops;
	}

	/** An IP literal, maybe quoted, bracketed or with a port; null for anything else (never a DNS lookup). */
	static @Nullable InetAddress parse(String hop) {
		String value = hop.trim();
		if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
			value = value.substring(1, value.length() - 1).trim();
		}
		if (value.startsWith("[")) {
			int end = value.indexOf(']');
			if (end < 0) {
				return null;
			}
			value = value.substring(1, end);
		}
		else if (value.indexOf(':') >= 0 && value.indexOf(':') == value.lastIndexOf(':')) {
			value = value.substring(0, value.indexOf(':')); // IPv4 with a port
		}
		if (value.isEmpty() || value.toLowerCase(Locale.ROOT).startsWith("unknown")) {
			return null;
		}
		return NetUtil.createInetAddressFromIpAddressString(value);
	}

}
