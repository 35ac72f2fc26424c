package io.wsgate.pools;

import java.net.URI;
import java.util.Locale;

import reactor.core.publisher.Mono;

import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

import io.wsgate.proxy.ConnectionHook;
import io.wsgate.proxy.WebSocketProxyFilter;

/**
 * Runs right after Spring Cloud Gateway's load-balancer filter picked a {@link PoolServer}:
 * <ul>
 * <li>the URL takes the server's own security ({@code ws}/{@code wss}, {@code http}/{@code https}:
 * with {@code lb:ws://} the gateway would otherwise use the route's scheme for every server);</li>
 * <li>a server with {@code keep-host} keeps the client's Host header;</li>
 * <li>an upgrade counts as one of the server's active connections until the connection ends,
 * through the {@link ConnectionHook} the proxy is given.</li>
 * </ul>
 */
final class PoolConnectionFilter implements GlobalFilter, Ordered {

	static final int ORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER + 1;

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Response<?> response = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_LOADBALANCER_RESPONSE_ATTR);
		if (response == null || !(response.getServer() instanceof PoolServer server)) {
			return chain.filter(exchange);
		}
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		if (url != null) {
			exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, withServerScheme(url, server));
		}
		if (server.keepHost()) {
			exchange.getAttributes().put(ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE, true);
		}
		if (!WebSocketProxyFilter.isWebSocketUpgrade(exchange.getRequest().getHeaders())) {
			return chain.filter(exchange);
		}
		ConnectionHook.attach(exchange, server.connectionStarting());
		return chain.filter(exchange).doFinally(signal -> {
			ConnectionHook untaken = ConnectionHook.take(exchange);
			if (untaken != null) {
				untaken.ended(); // answered before any backend was dialled
			}
		});
	}

	static URI withServerScheme(URI url, PoolServer server) {
		String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : "";
		String wanted = switch (scheme) {
			case "ws", "wss" -> server.isSecure() ? "wss" : "ws";
			case "http", "https" -> server.isSecure() ? "https" : "http";
			default -> scheme;
		};
		return wanted.equals(scheme) ? url : UriComponentsBuilder.fromUri(url).scheme(wanted).build(true).toUri();
	}

}
