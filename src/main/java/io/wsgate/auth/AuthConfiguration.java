package io.wsgate.auth;

import java.time.Duration;

import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.resources.TrustedResources;

/** Upgrade-time authentication: the {@code WebSocketAuth} route filter. */
@Configuration(proxyBeanMethods = false)
class AuthConfiguration {

	/** How long fetching a JWK set may take, connecting and answering each. */
	static final Duration JWKS_TIMEOUT = Duration.ofSeconds(5);

	/** The threads every route's bcrypt checks share, bounded by {@code wsgate.auth.slow-hash.*}. */
	@Bean(destroyMethod = "close")
	SlowHashPool slowHashPool(AuthProperties properties) {
		return new SlowHashPool(properties.getSlowHash().threadCount(), properties.getSlowHash().getQueue());
	}

	@Bean
	WebSocketAuthGatewayFilterFactory webSocketAuthGatewayFilterFactory(ObjectProvider<AuthListener> listeners,
			SlowHashPool slowHashes, TrustedResources resources) {
		HttpClient http = HttpClient.create()
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) JWKS_TIMEOUT.toMillis())
			.responseTimeout(JWKS_TIMEOUT);
		// JWK sets are small: 256 KB (WebClient's default buffer limit) is plenty
		WebClient jwksClient = WebClient.builder().clientConnector(new ReactorClientHttpConnector(http)).build();
		return new WebSocketAuthGatewayFilterFactory(jwksClient, listeners.orderedStream().toList(),
				slowHashes.scheduler(), resources);
	}

}
