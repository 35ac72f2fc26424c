package io.wsgate.auth;

import java.time.Duration;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/** Upgrade-time authentication: the {@code WebSocketAuth} route filter. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	/** How long fetching a JWK set may take, connecting and answering each. */
	static final Duration JWKS_TIMEOUT = Duration.ofSeconds(5);

	@Bean
	WebSocketAuthGatewayFilterFactory webSocketAuthGatewayFilterFactory(ObjectProvider<AuthListener> listeners) {
		HttpClient http = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) JWKS_TIMEOUT.toMillis())
			.responseTimeout(JWKS_TIMEOUT);
		// JWK sets are small: 256 KB (WebClient's default buffer limit) is plenty
		WebClient jwksClient = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).build();
		return new WebSocketAuthGatewayFilterFactory(jwksClient, listeners.orderedStream().toList());
	}

}
