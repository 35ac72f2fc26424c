package io.wsgate.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.auth.AuthConfig.IdentityClaim;
import io.wsgate.auth.AuthConfig.TokenSource;
import io.wsgate.resources.TrustedResources;

/**
 * Turns a route's {@link AuthConfig} into its {@link WebSocketAuthFilter}: checks the
 * arguments, builds the authenticator of each configured credential kind, where credentials
 * are looked for, the origin policy and the identity headers, and logs what works but is
 * unsafe. A bad argument fails with an {@link IllegalArgumentException} naming it; the
 * message never holds what a key file holds.
 */
final class AuthFilterBuilder {

	/** The factory's logger, so operators find the warnings where they always were. */
	private static final Logger log = LoggerFactory.getLogger(WebSocketAuthGatewayFilterFactory.class);

	private final WebClient jwksClient;

	private final List<AuthListener> listeners;

	private final Scheduler slowHashes;

	private final TrustedResources resources;

	/**
	 * @param slowHashes the bounded scheduler of bcrypt checks ({@link SlowHashPool})
	 * @param resources where {@code jwt.public-key} locations may be read
	 */
	AuthFilterBuilder(WebClient jwksClient, List<AuthListener> listeners, Scheduler slowHashes,
			TrustedResources resources) {
		this.jwksClient = jwksClient;
		this.listeners = List.copyOf(listeners);
		this.slowHashes = slowHashes;
		this.resources = resources;
	}

	WebSocketAuthFilter build(AuthConfig config) {
		if (config.getJwt() == null && config.getApiKeys() == null && config.getBasic() == null) {
			throw new IllegalArgumentException("configure at least one of jwt, api-keys, basic");
		}
		String realm = requireText("realm", config.getRealm());
		JwtAuthenticator jwt = (config.getJwt() != null)
				? JwtAuthenticator.of(config.getJwt(), realm, this.jwksClient, this.resources) : null;
		ApiKeyAuthenticator apiKeys = (config.getApiKeys() != null)
				? new ApiKeyAuthenticator(config.getApiKeys(), realm, new SlowHashes(this.slowHashes)) : null;
		BasicAuthenticator basic = (config.getBasic() != null)
				? new BasicAuthenticator(config.getBasic(), realm, new SlowHashes(this.slowHashes)) : null;
		if (config.getTokenSources().isEmpty() && jwt != null) {
			throw new IllegalArgumentException("token-sources must name at least one of header, query, protocol, cookie");
		}
		OriginPolicy origins = OriginPolicy.of(config.getAllowedOrigins(), config.isAllowMissingOrigin());
		CredentialSources sources = new CredentialSources(config, jwt != null, apiKeys != null, basic != null);
		IdentityHeaders identity = IdentityHeaders.of(claimToHeader(config));
		warnings(config, jwt != null, origins);
		boolean closeOnExpiry = config.getJwt() == null || config.getJwt().isCloseOnExpiry();
		return new WebSocketAuthFilter(origins, sources, jwt, apiKeys, basic, identity, closeOnExpiry, realm,
				this.listeners);
	}

	/** {@code identity-headers} and then {@code identity-claims}, in the order configured. */
	private static Map<String, String> claimToHeader(AuthConfig config) {
		Map<String, String> claimToHeader = new LinkedHashMap<>(config.getIdentityHeaders());
		for (int i = 0; i < config.getIdentityClaims().size(); i++) {
			IdentityClaim mapping = config.getIdentityClaims().get(i);
			if (mapping.getClaim() == null || mapping.getClaim().isEmpty()) {
				throw new IllegalArgumentException("identity-claims[" + i + "].claim is required");
			}
			claimToHeader.put(mapping.getClaim(), mapping.getHeader());
		}
		return claimToHeader;
	}

	/** What works but is unsafe: logged when the route is built. */
	private static void warnings(AuthConfig config, boolean jwt, OriginPolicy origins) {
		String route = (config.getRouteId() != null) ? config.getRouteId() : "-";
		if (jwt && config.getTokenSources().contains(TokenSource.COOKIE) && !origins.restricts()) {
			log.warn("route {}: WebSocketAuth takes tokens from the cookie '{}' but has no allowed-origins: any web "
					+ "site can open a WebSocket with your users' cookies (cross-site WebSocket hijacking)", route,
					config.getCookie());
		}
		if (config.getBasic() != null && !origins.restricts()) {
			log.warn("route {}: WebSocketAuth accepts HTTP Basic but has no allowed-origins: browsers send saved "
					+ "Basic credentials by themselves, so any web site can open a WebSocket as your users "
					+ "(cross-site WebSocket hijacking)", route);
		}
		JwtConfig jwtConfig = config.getJwt();
		if (jwtConfig != null && jwtConfig.getAudiences().isEmpty()
				&& (jwtConfig.getIssuer() == null || jwtConfig.getIssuer().isBlank())) {
			log.warn("route {}: WebSocketAuth jwt has neither audiences nor issuer: any token the key signed is "
					+ "accepted, also those minted for other applications; set jwt.audiences (and jwt.issuer)",
					route);
		}
		if (jwtConfig != null && !jwtConfig.isRequireExpiry()) {
			log.warn("route {}: WebSocketAuth jwt.require-expiry is off: a token without exp never expires", route);
		}
	}

	private static String requireText(String argument, @Nullable String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(argument + " may not be empty");
		}
		return value;
	}

}
