package io.wsgate.pools;

import java.net.InetAddress;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.DefaultResponse;
import org.springframework.cloud.client.loadbalancer.EmptyResponse;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.RequestData;
import org.springframework.cloud.client.loadbalancer.RequestDataContext;
import org.springframework.cloud.client.loadbalancer.Response;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;

/**
 * A pool's Spring Cloud LoadBalancer: what Spring Cloud Gateway's load-balancer filter asks for
 * the server of a request to {@code lb:ws://<pool>}. It picks with the pool's policy among the
 * servers in rotation, and answers "no server" when there is none (the gateway then answers 503).
 */
final class PoolLoadBalancer implements ReactorServiceInstanceLoadBalancer {

	private final BackendPool pool;

	PoolLoadBalancer(BackendPool pool) {
		this.pool = pool;
	}

	@Override
	@SuppressWarnings("rawtypes")
	public Mono<Response<ServiceInstance>> choose(Request request) {
		PoolServer server = this.pool.choose(choice(request));
		return Mono.just((server != null) ? new DefaultResponse(server) : new EmptyResponse());
	}

	private static LoadBalancePolicy.Choice choice(Request<?> request) {
		if (request.getContext() instanceof RequestDataContext context && context.getClientRequest() != null) {
			RequestData data = context.getClientRequest();
			Map<String, Object> attributes = data.getAttributes();
			Object address = (attributes != null) ? attributes.get(ClientAddressFilter.ATTRIBUTE) : null;
			return new LoadBalancePolicy.Choice((address instanceof InetAddress inet) ? inet : null,
					(data.getHeaders() != null) ? data.getHeaders() : HttpHeaders.EMPTY,
					(data.getCookies() != null) ? data.getCookies() : new LinkedMultiValueMap<>());
		}
		return new LoadBalancePolicy.Choice(null, HttpHeaders.EMPTY, new LinkedMultiValueMap<>());
	}

	@Override
	public String toString() {
		return "PoolLoadBalancer[" + this.pool.name() + ", " + this.pool.policy().id() + "]";
	}

}
