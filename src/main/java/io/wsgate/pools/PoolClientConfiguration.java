package io.wsgate.pools;

import java.util.Collections;
import java.util.List;

import reactor.core.publisher.Flux;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.loadbalancer.core.ReactorServiceInstanceLoadBalancer;
import org.springframework.cloud.loadbalancer.core.ServiceInstanceListSupplier;
import org.springframework.cloud.loadbalancer.support.LoadBalancerClientFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The Spring Cloud LoadBalancer client configuration of a wsgate pool, applied in the load
 * balancer's own child context for each service id that names a pool (other service ids keep
 * Spring Cloud LoadBalancer's defaults). Deliberately not a {@code @Configuration}: component
 * scanning must not pick it up into the application context.
 */
@Conditional(PoolClientConfiguration.OnPool.class)
class PoolClientConfiguration {

	@Bean
	ReactorServiceInstanceLoadBalancer poolLoadBalancer(Environment environment, BackendPools pools) {
		return new PoolLoadBalancer(pool(environment, pools));
	}

	/** The servers in rotation, for anything else in the child context that asks for instances. */
	@Bean
	ServiceInstanceListSupplier poolServersInRotation(Environment environment, BackendPools pools) {
		BackendPool pool = pool(environment, pools);
		return new ServiceInstanceListSupplier() {
			@Override
			public String getServiceId() {
				return pool.name();
			}

			@Override
			public Flux<List<ServiceInstance>> get() {
				return Flux.defer(() -> Flux.just(Collections.unmodifiableList(pool.available())));
			}
		};
	}

	private static BackendPool pool(Environment environment, BackendPools pools) {
		String name = LoadBalancerClientFactory.getName(environment);
		return pools.find(name).orElseThrow(() -> new IllegalStateException("no pool named " + name));
	}

	/** Whether the child context's service id names a configured pool. */
	static class OnPool implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String name = LoadBalancerClientFactory.getName(context.getEnvironment());
			return name != null && Binder.get(context.getEnvironment())
				.bind("wsgate.pools", Bindable.mapOf(String.class, PoolProperties.Pool.class))
				.map(pools -> pools.containsKey(name))
				.orElse(false);
		}

	}

}
