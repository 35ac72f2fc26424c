package io.wsgate.lifetime;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.ConnectionRegistry;

/** Connection lifetime: the route filters, the global defaults and the drain on shutdown. */
@Configuration(proxyBeanMethods = false)
class LifetimeConfiguration {

	@Bean
	ConnectionExpiryGatewayFilterFactory connectionExpiryGatewayFilterFactory() {
		return new ConnectionExpiryGatewayFilterFactory();
	}

	@Bean
	IdleTimeoutGatewayFilterFactory idleTimeoutGatewayFilterFactory() {
		return new IdleTimeoutGatewayFilterFactory();
	}

	@Bean
	KeepAliveGatewayFilterFactory keepAliveGatewayFilterFactory(LifetimeProperties properties) {
		return new KeepAliveGatewayFilterFactory(properties);
	}

	/** The global defaults as policies. */
	@Bean
	LifetimeDefaultsFilter lifetimeDefaultsFilter(LifetimeProperties properties) {
		ConnectionPolicy.Expiry expiry = new ConnectionPolicy.Expiry(properties.getConnectionExpiry(),
				ConnectionPolicy.Expiry.NONE.code(), ConnectionPolicy.Expiry.NONE.reason());
		ConnectionPolicy.IdleTimeout idle = new ConnectionPolicy.IdleTimeout(properties.getIdleTimeout(),
				properties.isIdleTimeoutCountsPings(), ConnectionPolicy.IdleTimeout.NONE.code(),
				ConnectionPolicy.IdleTimeout.NONE.reason());
		ConnectionPolicy.KeepAlive keepAlive = new ConnectionPolicy.KeepAlive(properties.getKeepAlive().getInterval(),
				properties.getKeepAlive().getTimeout());
		return new LifetimeDefaultsFilter(expiry, idle, keepAlive);
	}

	@Bean
	GracefulDrain gracefulDrain(ConnectionRegistry registry, LifetimeProperties properties) {
		return new GracefulDrain(registry, properties.getDrainTimeout());
	}

}
