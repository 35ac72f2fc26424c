package io.wsgate.bridge;

import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.wsgate.proxy.WebSocketProperties;

/** The {@code WebSocketBridge} filter and the HTTP client its routes share. */
@Configuration(proxyBeanMethods = false)
class BridgeConfiguration {

	@Bean(destroyMethod = "close")
	BridgeClient bridgeClient(BridgeProperties properties, WebSocketProperties webSocket) {
		return new BridgeClient(properties, webSocket.getConnectTimeout());
	}

	@Bean
	WebSocketBridgeGatewayFilterFactory webSocketBridgeGatewayFilterFactory(BridgeClient client,
			ObjectProvider<MeterRegistry> registry, WebSocketProperties webSocket) {
		return new WebSocketBridgeGatewayFilterFactory(client, new BridgeMetrics(registry.getIfAvailable()),
				webSocket.getMaxRejectionBody().toBytes());
	}

}
