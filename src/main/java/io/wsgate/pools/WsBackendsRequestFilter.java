package io.wsgate.pools;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Lets {@code curl -X POST .../wsbackends/chat/servers/0/drain?close=true} work as written: an
 * actuator write operation with an argument only accepts a JSON request, although
 * {@code close} comes from the query and there is no body. A bodiless POST to the endpoint
 * without a Content-Type is given {@code application/json}; everything else passes untouched.
 */
final class WsBackendsRequestFilter implements WebFilter {

	private final String prefix;

	WsBackendsRequestFilter(String actuatorBasePath) {
		this.prefix = actuatorBasePath + "/wsbackends/";
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		HttpHeaders headers = exchange.getRequest().getHeaders();
		if (exchange.getRequest().getMethod() != HttpMethod.POST || headers.getContentType() != null
				|| headers.getContentLength() > 0
				|| !exchange.getRequest().getPath().pathWithinApplication().value().startsWith(this.prefix)) {
			return chain.filter(exchange);
		}
		return chain.filter(exchange.mutate()
			.request(request -> request.headers(mutable -> mutable.setContentType(MediaType.APPLICATION_JSON)))
			.build());
	}

}
