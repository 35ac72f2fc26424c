package io.wsgate.auth;

import java.util.List;

import reactor.core.scheduler.Scheduler;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.resources.TrustedResources;

/**
 * {@code WebSocketAuth}: authenticates a route's clients at upgrade time, before any byte
 * reaches the backend, with JWTs ({@code jwt}), API keys ({@code api-keys}) and HTTP Basic
 * ({@code basic}) — any of them, at least one — and checks {@code Origin} against
 * {@code allowed-origins}. Refusals are answered before the upgrade: 401 with a
 * {@code WWW-Authenticate} challenge for missing or bad credentials, 403 for insufficient
 * scope or claims and for a refused origin. The credential is removed from the request the
 * backend gets; who the client is travels in the headers {@code identity-headers} names.
 *
 * <p>The arguments are {@link AuthConfig}'s; every one is described in docs/authentication.md.
 */
public class WebSocketAuthGatewayFilterFactory extends AbstractGatewayFilterFactory<AuthConfig> {

	private final AuthFilterBuilder filters;

	/**
	 * @param slowHashes the bounded scheduler of bcrypt checks ({@link SlowHashPool})
	 * @param resources where {@code jwt.public-key} locations may be read
	 */
	public WebSocketAuthGatewayFilterFactory(WebClient jwksClient, List<AuthListener> listeners, Scheduler slowHashes,
			TrustedResources resources) {
		super(AuthConfig.class);
		this.filters = new AuthFilterBuilder(jwksClient, listeners, slowHashes, resources);
	}

	@Override
	public GatewayFilter apply(AuthConfig config) {
		try {
			return this.filters.build(config);
		}
		catch (IllegalArgumentException ex) {
			// never the cause: its message may hold what a file holds
			throw new IllegalArgumentException("WebSocketAuth: " + ex.getMessage());
		}
	}

}
