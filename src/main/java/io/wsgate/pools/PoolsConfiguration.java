package io.wsgate.pools;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.cloud.loadbalancer.annotation.LoadBalancerClients;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.wsgate.proxy.ClientAddresses;

/**
 * Backend pools on Spring Cloud LoadBalancer: every {@code lb:} service id that names a pool
 * gets the pool's load balancer ({@link PoolClientConfiguration}); Spring Cloud Gateway's
 * load-balancer filter resolves {@code lb:ws://<pool>} with it, {@link PoolConnectionFilter}
 * then ties the connection to the chosen server. Probing, the actuator endpoint and the health
 * component work on the {@link BackendPools}.
 */
@Configuration(proxyBeanMethods = false)
@LoadBalancerClients(defaultConfiguration = PoolClientConfiguration.class)
class PoolsConfiguration {

	@Bean
	BackendPools backendPools(PoolProperties properties, ObjectProvider<MeterRegistry> meters) {
		BackendPools pools = new BackendPools(properties, new HealthProber());
		meters.ifAvailable(registry -> PoolMeters.register(pools, registry));
		return pools;
	}

	@Bean
	ClientAddressFilter poolClientAddressFilter(ClientAddresses clientAddresses) {
		return new ClientAddressFilter(clientAddresses);
	}

	@Bean
	PoolConnectionFilter poolConnectionFilter() {
		return new PoolConnectionFilter();
	}

	@Bean
	WsBackendsEndpoint wsBackendsEndpoint(BackendPools pools) {
		return new WsBackendsEndpoint(pools);
	}

	@Bean
	WsBackendsRequestFilter wsBackendsRequestFilter(WebEndpointProperties endpoints) {
		return new WsBackendsRequestFilter(endpoints.getBasePath());
	}

	@Bean
	WsBackendsHealthIndicator wsBackendsHealthIndicator(BackendPools pools) {
		return new WsBackendsHealthIndicator(pools);
	}

	/**
	 * Creates each pool's load-balancer context at startup: Spring Cloud LoadBalancer would
	 * otherwise build it on the first request, on an event loop.
	 */
	@Bean
	SmartInitializingSingleton poolLoadBalancerContexts(ObjectProvider<LoadBalancerClientFactory> factory,
			BackendPools pools) {
		return () -> factory.ifAvailable(clients -> pools.pools().forEach(pool -> clients.getInstance(pool.name())));
	}

}
