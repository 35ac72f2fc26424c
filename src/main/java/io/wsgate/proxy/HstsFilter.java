package io.wsgate.proxy;

import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/** {@code Strict-Transport-Security} on every answer over HTTPS (unless a backend set its own). */
final class HstsFilter implements WebFilter, Ordered {

	private final String value;

	HstsFilter(String value) {
		this.value = value;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getRequest().getSslInfo() != null) {
			exchange.getResponse().beforeCommit(() -> {
				exchange.getResponse().getHeaders().putIfAbsent("Strict-Transport-Security",
						List.of(this.value));
				return Mono.empty();
			});
		}
		return chain.filter(exchange);
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
