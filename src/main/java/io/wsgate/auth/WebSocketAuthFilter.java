package io.wsgate.auth;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.auth.CredentialSources.Credential;
import io.wsgate.proxy.LogLine;
import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.SecretMask;
import io.wsgate.proxy.WebSocketProxyFilter;

/**
 * One route's {@code WebSocketAuth}: Origin first, then the first credential found, checked
 * by the authenticator of its kind. Accepted: the credentials are removed from the request,
 * the identity headers set, and the principal (with the token's expiry as the connection's
 * deadline) put on the exchange for the relay. Refused: answered here, before the upgrade,
 * logged once and counted.
 */
final class WebSocketAuthFilter implements GatewayFilter {

	static final Logger log = LoggerFactory.getLogger("io.wsgate.auth");

	/** The cause in logs and metrics of a close at the token's expiry. */
	static final String TOKEN_EXPIRED_CAUSE = "token-expired";

	private final OriginPolicy origins;

	private final CredentialSources sources;

	private final @Nullable JwtAuthenticator jwt;

	private final @Nullable ApiKeyAuthenticator apiKeys;

	private final @Nullable BasicAuthenticator basic;

	private final IdentityHeaders identity;

	private final boolean closeOnExpiry;

	private final String realm;

	private final List<String> challenges = new ArrayList<>();

	private final List<AuthListener> listeners;

	WebSocketAuthFilter(OriginPolicy origins, CredentialSources sources, @Nullable JwtAuthenticator jwt,
			@Nullable ApiKeyAuthenticator apiKeys, @Nullable BasicAuthenticator basic, IdentityHeaders identity,
			boolean closeOnExpiry, String realm, List<AuthListener> listeners) {
		this.origins = origins;
		this.sources = sources;
		this.jwt = jwt;
		this.apiKeys = apiKeys;
		this.basic = basic;
		this.identity = identity;
		this.closeOnExpiry = closeOnExpiry;
		this.listeners = listeners;
		this.realm = realm;
		if (jwt != null) {
			this.challenges.add(Refusal.challenge("Bearer", realm));
		}
		if (apiKeys != null) {
			this.challenges.add(Refusal.challenge("ApiKey", realm));
		}
		if (basic != null) {
			this.challenges.add(Refusal.challenge("Basic", realm, "charset", "UTF-8"));
		}
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		String originProblem = this.origins.check(request.getHeaders());
		if (originProblem != null) {
			return refuse(exchange, new Refusal(403, Refusal.ORIGIN, originProblem, null), null);
		}
		Credential credential;
		try {
			credential = this.sources.find(request);
		}
		catch (CredentialSources.MalformedException ex) {
			return refuse(exchange, new Refusal(400, Refusal.MALFORMED, ex.getMessage(),
					Refusal.challenge("Bearer", this.realm, "error", "invalid_request", "error_description",
							ex.getMessage())), null);
		}
		if (credential == null) {
			return refuse(exchange, new Refusal(401, Refusal.MISSING, "credentials required", null), null);
		}
		return verify(credential).flatMap(result -> {
			WebSocketPrincipal principal = result.principal();
			return (principal != null) ? proceed(exchange, chain, principal)
					: refuse(exchange, result.refusal(), credential);
		});
	}

	private Mono<AuthResult> verify(Credential credential) {
		return switch (credential.kind()) {
			case BEARER -> this.jwt.authenticate(credential.value());
			case API_KEY -> this.apiKeys.authenticate(credential.value());
			case BASIC -> this.basic.authenticate(credential.value());
		};
	}

	private Mono<Void> proceed(ServerWebExchange exchange, GatewayFilterChain chain, WebSocketPrincipal principal) {
		ServerHttpRequest request = exchange.getRequest();
		ServerHttpRequest forwarded = request.mutate().uri(this.sources.stripQuery(request.getURI())).headers(headers -> {
			this.sources.stripHeaders(headers);
			this.identity.apply(headers, principal);
		}).build();
		ConnectionPolicy policy = ConnectionPolicy.of(exchange).principal(principal);
		HttpHeaders identity = new HttpHeaders();
		this.identity.apply(identity, principal);
		if (!identity.isEmpty()) {
			policy.identity(identity); // for a MessageEndpoint, which passes them on with every message
		}
		this.sources.nameSecrets(SecretMask.names(exchange));
		if (this.closeOnExpiry && principal.expiresAt() != null) {
			policy.deadline(new ConnectionPolicy.Deadline(principal.expiresAt(), TOKEN_EXPIRED_CAUSE, 1008,
					"token expired"));
		}
		String routeId = WebSocketProxyFilter.routeId(exchange);
		if (log.isDebugEnabled()) {
			log.debug("authenticated route={} client={} principal={} method={}", routeId,
					clientIp(request), principal.getName(), principal.method());
		}
		for (AuthListener listener : this.listeners) {
			listener.authenticated(routeId, principal.method());
		}
		return chain.filter(exchange.mutate().request(forwarded).principal(Mono.just(principal)).build());
	}

	private Mono<Void> refuse(ServerWebExchange exchange, Refusal refusal, @Nullable Credential credential) {
		String routeId = WebSocketProxyFilter.routeId(exchange);
		boolean busy = Refusal.BUSY.equals(refusal.reason());
		LogLine.of(busy ? log.atWarn() : log.atInfo(), "refused upgrade")
			.with("route", routeId)
			.with("client", clientIp(exchange.getRequest()))
			.with("status", refusal.status())
			.with("reason", refusal.reason())
			.with("credential", credential)
			.text(" \"" + refusal.description() + "\"")
			.field("description", refusal.description())
			.text(busy ? ": more bcrypt checks at once than wsgate.auth.slow-hash allows" : "")
			.log();
		for (AuthListener listener : this.listeners) {
			listener.refused(routeId, refusal.reason(), refusal.status());
		}
		HttpHeaders headers = exchange.getResponse().getHeaders();
		if (refusal.challenge() != null) {
			headers.add(HttpHeaders.WWW_AUTHENTICATE, refusal.challenge());
		}
		else if (refusal.status() == 401) {
			this.challenges.forEach(challenge -> headers.add(HttpHeaders.WWW_AUTHENTICATE, challenge));
		}
		if (refusal.status() == 503) {
			headers.set(HttpHeaders.RETRY_AFTER, "1");
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		return WebSocketProxyFilter.answer(exchange, refusal.status(), refusal.description());
	}

	private static String clientIp(ServerHttpRequest request) {
		InetSocketAddress address = request.getRemoteAddress();
		return (address != null && address.getAddress() != null) ? address.getAddress().getHostAddress() : "-";
	}

	@Override
	public String toString() {
		StringBuilder methods = new StringBuilder();
		for (Object authenticator : new Object[] { this.jwt, this.apiKeys, this.basic }) {
			if (authenticator != null) {
				methods.append((methods.length() > 0) ? ", " : "").append(authenticator);
			}
		}
		return "WebSocketAuth[" + methods + ", origins=" + this.origins + "]";
	}

}
