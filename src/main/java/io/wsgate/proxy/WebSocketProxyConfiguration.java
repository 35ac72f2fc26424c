package io.wsgate.proxy;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The WebSocket relay's beans. */
@Configuration(proxyBeanMethods = false)
class WebSocketProxyConfiguration {

	@Bean
	ConnectionRegistry connectionRegistry(WebSocketProperties properties) {
		return new ConnectionRegistry(properties.getMaxConnections());
	}

	@Bean(destroyMethod = "close")
	BackendConnector backendConnector() {
		return new BackendConnector();
	}

	@Bean
	WebSocketProxyFilter webSocketProxyFilter(WebSocketProperties properties, ConnectionRegistry registry,
			BackendConnector connector) {
		return new WebSocketProxyFilter(properties, registry, connector);
	}

	@Bean
	MaxMessageSizeGatewayFilterFactory maxMessageSizeGatewayFilterFactory(WebSocketProperties properties) {
		return new MaxMessageSizeGatewayFilterFactory(properties);
	}

}
