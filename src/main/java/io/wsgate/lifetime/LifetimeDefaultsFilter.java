package io.wsgate.lifetime;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.WebSocketProxyFilter;

/**
 * Puts the global lifetime settings on every WebSocket upgrade whose route did not set its
 * own: runs after the route's filters, just before the proxy. When every global timer is off
 * it does nothing (the relay's fallback is "off" too).
 */
class LifetimeDefaultsFilter implements GlobalFilter, Ordered {

	private final ConnectionPolicy.Expiry expiry;

	private final ConnectionPolicy.IdleTimeout idle;

	private final ConnectionPolicy.KeepAlive keepAlive;

	private final boolean anyEnabled;

	LifetimeDefaultsFilter(ConnectionPolicy.Expiry expiry, ConnectionPolicy.IdleTimeout idle,
			ConnectionPolicy.KeepAlive keepAlive) {
		this.expiry = expiry;
		this.idle = idle;
		this.keepAlive = keepAlive;
		this.anyEnabled = expiry.enabled() || idle.enabled() || keepAlive.enabled();
	}

	@Override
	public int getOrder() {
		return WebSocketProxyFilter.ORDER - 1;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		if (this.anyEnabled && WebSocketProxyFilter.isWebSocketUpgrade(exchange.getRequest().getHeaders())) {
			ConnectionPolicy policy = ConnectionPolicy.of(exchange);
			if (policy.expiry() == null) {
				policy.expiry(this.expiry);
			}
			if (policy.idleTimeout() == null) {
				policy.idleTimeout(this.idle);
			}
			if (policy.keepAlive() == null) {
				policy.keepAlive(this.keepAlive);
			}
		}
		return chain.filter(exchange);
	}

}
