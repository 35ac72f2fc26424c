package io.wsgate.pools;

import java.net.InetAddress;
import java.net.URI;

import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.ReactiveLoadBalancerClientFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.proxy.ClientAddresses;

/**
 * Hands the client's address to the load balancer, for {@code ip-hash}: Spring Cloud
 * LoadBalancer's request data carries headers, cookies and the exchange's attributes, but not
 * the remote address, so this puts it among the attributes of requests to {@code lb:} URIs just
 * before the load-balancer filter runs. The address is {@link ClientAddresses}': the TCP peer,
 * or behind trusted proxies the client they name.
 */
final class ClientAddressFilter implements GlobalFilter, Ordered {

	static final String ATTRIBUTE = ClientAddressFilter.class.getName() + ".address";

	static final int ORDER = ReactiveLoadBalancerClientFilter.LOAD_BALANCER_CLIENT_FILTER_ORDER - 1;

	private final ClientAddresses clientAddresses;

	ClientAddressFilter(ClientAddresses clientAddresses) {
		this.clientAddresses = clientAddresses;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		String prefix = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_SCHEME_PREFIX_ATTR);
		if ("lb".equals(prefix) || (url != null && "lb".equals(url.getScheme()))) {
			InetAddress client = this.clientAddresses.resolve(exchange);
			if (client != null) {
				exchange.getAttributes().put(ATTRIBUTE, client);
			}
		}
		return chain.filter(exchange);
	}

}
