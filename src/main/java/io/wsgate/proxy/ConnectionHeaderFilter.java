package io.wsgate.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Removes the headers a client names in its {@code Connection} header (RFC 9110 section 7.6.1:
 * they are meant for the gateway alone) as the request arrives, before any route filter runs.
 * Done at forwarding time instead, a client's {@code Connection: Upgrade, X-Auth-Subject} would
 * remove the identity header {@code WebSocketAuth} added. {@code Connection} keeps only its
 * connection options ({@code upgrade}, {@code close}, {@code keep-alive}).
 */
final class ConnectionHeaderFilter implements WebFilter, Ordered {

	/** Just after {@link HstsFilter}, before Spring Security and the gateway's handler. */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1;

	/** Tokens of {@code Connection} that are options, not names of headers to remove. */
	private static final Set<String> OPTIONS = Set.of("upgrade", "close", "keep-alive");

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		List<String> values = exchange.getRequest().getHeaders().get(HttpHeaders.CONNECTION);
		if (values == null || values.isEmpty()) {
			return chain.filter(exchange);
		}
		List<String> named = new ArrayList<>();
		List<String> options = new ArrayList<>();
		for (String value : values) {
			for (String token : value.split(",")) {
				String trimmed = token.trim();
				if (trimmed.isEmpty()) {
					continue;
				}
				(OPTIONS.contains(trimmed.toLowerCase(Locale.ROOT)) ? options : named).add(trimmed);
			}
		}
		if (named.isEmpty()) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest().mutate().headers(headers -> {
			named.forEach(headers::remove);
			if (options.isEmpty()) {
				headers.remove(HttpHeaders.CONNECTION);
			}
			else {
				headers.set(HttpHeaders.CONNECTION, String.join(", ", options));
			}
		}).build();
		return chain.filter(exchange.mutate().request(request).build());
	}

}
