package io.wsgate.admin;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * A 503 of {@code /actuator/wssessions} (a cluster request while Redis cannot be reached)
 * says when to try again, {@code Retry-After}, as the route API's does; the actuator's own
 * operations cannot set a header. In the management security chain: management requests only.
 */
final class RetryAfterWhenUnavailable implements WebFilter {

	private final String sessionsPath;

	RetryAfterWhenUnavailable(String sessionsPath) {
		this.sessionsPath = sessionsPath;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!exchange.getRequest().getPath().pathWithinApplication().value().startsWith(this.sessionsPath)) {
			return chain.filter(exchange);
		}
		ServerHttpResponse response = exchange.getResponse();
		response.beforeCommit(() -> {
			if (HttpStatus.SERVICE_UNAVAILABLE.equals(response.getStatusCode())
					&& !response.getHeaders().containsHeader(HttpHeaders.RETRY_AFTER)) {
				response.getHeaders().set(HttpHeaders.RETRY_AFTER, ConnectionsApi.RETRY_AFTER_SECONDS);
			}
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

}
