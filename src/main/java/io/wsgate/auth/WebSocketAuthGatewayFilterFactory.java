package io.wsgate.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.cloud.gateway.support.HasRouteId;
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
 * <p>Every argument is described in docs/authentication.md.
 */
public class WebSocketAuthGatewayFilterFactory
		extends AbstractGatewayFilterFactory<WebSocketAuthGatewayFilterFactory.Config> {

	private static final Logger log = LoggerFactory.getLogger(WebSocketAuthGatewayFilterFactory.class);

	private final WebClient jwksClient;

	private final List<AuthListener> listeners;

	private final Scheduler slowHashes;

	private final TrustedResources resources;

	/**
	 * @param slowHashes the bounded scheduler of bcrypt checks ({@link SlowHashPool})
	 * @param resources where {@code jwt.public-key} locations may be read
	 */
	public WebSocketAuthGatewayFilterFactory(WebClient jwksClient, List<AuthListener> listeners, Scheduler slowHashes,
			TrustedResources resources) {
		super(Config.class);
		this.jwksClient = jwksClient;
		this.listeners = List.copyOf(listeners);
		this.slowHashes = slowHashes;
		this.resources = resources;
	}

	@Override
	public GatewayFilter apply(Config config) {
		try {
			return build(config);
		}
		catch (IllegalArgumentException ex) {
			// never the cause: its message may hold what a file holds
			throw new IllegalArgumentException("WebSocketAuth: " + ex.getMessage());
		}
	}

	private GatewayFilter build(Config config) {
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
		Map<String, String> claimToHeader = new LinkedHashMap<>(config.getIdentityHeaders());
		for (int i = 0; i < config.getIdentityClaims().size(); i++) {
			IdentityClaim mapping = config.getIdentityClaims().get(i);
			if (mapping.getClaim() == null || mapping.getClaim().isEmpty()) {
				throw new IllegalArgumentException("identity-claims[" + i + "].claim is required");
			}
			claimToHeader.put(mapping.getClaim(), mapping.getHeader());
		}
		IdentityHeaders identity = IdentityHeaders.of(claimToHeader);
		warnings(config, jwt != null, origins);
		boolean closeOnExpiry = config.getJwt() == null || config.getJwt().isCloseOnExpiry();
		return new WebSocketAuthFilter(origins, sources, jwt, apiKeys, basic, identity, closeOnExpiry, realm,
				this.listeners);
	}

	/** What works but is unsafe: logged when the route is built. */
	private static void warnings(Config config, boolean jwt, OriginPolicy origins) {
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

	/** Where a bearer token may come from. */
	public enum TokenSource {

		/** {@code Authorization: Bearer <token>}. */
		HEADER,

		/** A query parameter, {@code query-param} ({@code access_token} by default). */
		QUERY,

		/** An entry of {@code Sec-WebSocket-Protocol} starting with {@code protocol-prefix}. */
		PROTOCOL,

		/** A cookie, {@code cookie} ({@code access_token} by default). */
		COOKIE

	}

	/** Arguments of {@code WebSocketAuth}. */
	public static class Config implements HasRouteId {

		/** The route's id, set by Spring Cloud Gateway (for the log). */
		private @Nullable String routeId;

		/** JWT bearer tokens. */
		private @Nullable JwtConfig jwt;

		/** API keys. */
		private @Nullable ApiKeysConfig apiKeys;

		/** HTTP Basic users. */
		private @Nullable BasicConfig basic;

		/** Where bearer tokens are looked for, in this order. */
		private List<TokenSource> tokenSources = new ArrayList<>(
				List.of(TokenSource.HEADER, TokenSource.QUERY, TokenSource.PROTOCOL));

		/** The query parameter of the {@code query} source. */
		private String queryParam = "access_token";

		/** The prefix of a {@code Sec-WebSocket-Protocol} entry carrying a token. */
		private String protocolPrefix = "bearer.";

		/** The cookie of the {@code cookie} source. */
		private String cookie = "access_token";

		/** Origins allowed to open connections ({@code scheme://host[:port]}); empty allows any. */
		private List<String> allowedOrigins = new ArrayList<>();

		/** Whether a request without an Origin header (not from a browser) may pass. */
		private boolean allowMissingOrigin = true;

		/** Claim name to the request header that carries its value to the backend. */
		private Map<String, String> identityHeaders = new LinkedHashMap<>();

		/** The same, for claim names a map key cannot hold (URIs such as {@code https://example.com/roles}). */
		private List<IdentityClaim> identityClaims = new ArrayList<>();

		/** The realm of the {@code WWW-Authenticate} challenges. */
		private String realm = "wsgate";

		@Override
		public void setRouteId(@Nullable String routeId) {
			this.routeId = routeId;
		}

		@Override
		public @Nullable String getRouteId() {
			return this.routeId;
		}

		public @Nullable JwtConfig getJwt() {
			return this.jwt;
		}

		public Config setJwt(@Nullable JwtConfig jwt) {
			this.jwt = jwt;
			return this;
		}

		public @Nullable ApiKeysConfig getApiKeys() {
			return this.apiKeys;
		}

		public Config setApiKeys(@Nullable ApiKeysConfig apiKeys) {
			this.apiKeys = apiKeys;
			return this;
		}

		public @Nullable BasicConfig getBasic() {
			return this.basic;
		}

		public Config setBasic(@Nullable BasicConfig basic) {
			this.basic = basic;
			return this;
		}

		public List<TokenSource> getTokenSources() {
			return this.tokenSources;
		}

		public Config setTokenSources(List<TokenSource> tokenSources) {
			this.tokenSources = tokenSources;
			return this;
		}

		public String getQueryParam() {
			return this.queryParam;
		}

		public Config setQueryParam(String queryParam) {
			this.queryParam = queryParam;
			return this;
		}

		public String getProtocolPrefix() {
			return this.protocolPrefix;
		}

		public Config setProtocolPrefix(String protocolPrefix) {
			this.protocolPrefix = protocolPrefix;
			return this;
		}

		public String getCookie() {
			return this.cookie;
		}

		public Config setCookie(String cookie) {
			this.cookie = cookie;
			return this;
		}

		public List<String> getAllowedOrigins() {
			return this.allowedOrigins;
		}

		public Config setAllowedOrigins(List<String> allowedOrigins) {
			this.allowedOrigins = allowedOrigins;
			return this;
		}

		public boolean isAllowMissingOrigin() {
			return this.allowMissingOrigin;
		}

		public Config setAllowMissingOrigin(boolean allowMissingOrigin) {
			this.allowMissingOrigin = allowMissingOrigin;
			return this;
		}

		public Map<String, String> getIdentityHeaders() {
			return this.identityHeaders;
		}

		public Config setIdentityHeaders(Map<String, String> identityHeaders) {
			this.identityHeaders = identityHeaders;
			return this;
		}

		public List<IdentityClaim> getIdentityClaims() {
			return this.identityClaims;
		}

		public Config setIdentityClaims(List<IdentityClaim> identityClaims) {
			this.identityClaims = identityClaims;
			return this;
		}

		public String getRealm() {
			return this.realm;
		}

		public Config setRealm(String realm) {
			this.realm = realm;
			return this;
		}

	}

	/** {@code jwt.*}: how tokens are verified. One key source: jwk-set-uri, public-key or secret. */
	public static class JwtConfig {

		/** A JWK set to fetch the verification keys from: {@code https} ({@code http} for loopback hosts only). */
		private @Nullable String jwkSetUri;

		/** A PEM public key (RSA or EC), inline or at a {@code classpath:} location or a {@code file:} under {@code wsgate.resources.directory}. */
		private @Nullable String publicKey;

		/** An HMAC secret of at least 256 bits (UTF-8 text, or {@code base64:} and base64). */
		private @Nullable String secret;

		/** Accepted signature algorithms; by default HS256, RS256, or the EC key's curve's. */
		private List<String> algorithms = new ArrayList<>();

		/** The required {@code iss}. */
		private @Nullable String issuer;

		/** Accepted audiences: the token's {@code aud} must hold one of them. */
		private List<String> audiences = new ArrayList<>();

		/** Scopes the token must all have ({@code scope} or {@code scp}); else 403. */
		private List<String> requiredScopes = new ArrayList<>();

		/** Claims the token must have with these values (or a list holding it); else 403. */
		private Map<String, String> requiredClaims = new LinkedHashMap<>();

		/** Tolerance for {@code exp} and {@code nbf}. */
		private Duration clockSkew = Duration.ofSeconds(60);

		/** Whether a connection is closed with 1008 "token expired" when its token expires. */
		private boolean closeOnExpiry = true;

		/** Whether a token must have {@code exp}; without, it is refused (401). */
		private boolean requireExpiry = true;

		/** A token with an unknown key makes the JWK set fetched again at most this often. */
		private Duration jwksRefetchInterval = Duration.ofSeconds(30);

		public @Nullable String getJwkSetUri() {
			return this.jwkSetUri;
		}

		public JwtConfig setJwkSetUri(@Nullable String jwkSetUri) {
			this.jwkSetUri = jwkSetUri;
			return this;
		}

		public @Nullable String getPublicKey() {
			return this.publicKey;
		}

		public JwtConfig setPublicKey(@Nullable String publicKey) {
			this.publicKey = publicKey;
			return this;
		}

		public @Nullable String getSecret() {
			return this.secret;
		}

		public JwtConfig setSecret(@Nullable String secret) {
			this.secret = secret;
			return this;
		}

		public List<String> getAlgorithms() {
			return this.algorithms;
		}

		public JwtConfig setAlgorithms(List<String> algorithms) {
			this.algorithms = algorithms;
			return this;
		}

		public @Nullable String getIssuer() {
			return this.issuer;
		}

		public JwtConfig setIssuer(@Nullable String issuer) {
			this.issuer = issuer;
			return this;
		}

		public List<String> getAudiences() {
			return this.audiences;
		}

		public JwtConfig setAudiences(List<String> audiences) {
			this.audiences = audiences;
			return this;
		}

		public List<String> getRequiredScopes() {
			return this.requiredScopes;
		}

		public JwtConfig setRequiredScopes(List<String> requiredScopes) {
			this.requiredScopes = requiredScopes;
			return this;
		}

		public Map<String, String> getRequiredClaims() {
			return this.requiredClaims;
		}

		public JwtConfig setRequiredClaims(Map<String, String> requiredClaims) {
			this.requiredClaims = requiredClaims;
			return this;
		}

		public Duration getClockSkew() {
			return this.clockSkew;
		}

		public JwtConfig setClockSkew(Duration clockSkew) {
			this.clockSkew = clockSkew;
			return this;
		}

		public boolean isCloseOnExpiry() {
			return this.closeOnExpiry;
		}

		public JwtConfig setCloseOnExpiry(boolean closeOnExpiry) {
			this.closeOnExpiry = closeOnExpiry;
			return this;
		}

		public boolean isRequireExpiry() {
			return this.requireExpiry;
		}

		public JwtConfig setRequireExpiry(boolean requireExpiry) {
			this.requireExpiry = requireExpiry;
			return this;
		}

		public Duration getJwksRefetchInterval() {
			return this.jwksRefetchInterval;
		}

		public JwtConfig setJwksRefetchInterval(Duration jwksRefetchInterval) {
			this.jwksRefetchInterval = jwksRefetchInterval;
			return this;
		}

	}

	/** One claim to header mapping of {@code identity-claims}. */
	public static class IdentityClaim {

		private @Nullable String claim;

		private @Nullable String header;

		public @Nullable String getClaim() {
			return this.claim;
		}

		public IdentityClaim setClaim(@Nullable String claim) {
			this.claim = claim;
			return this;
		}

		public @Nullable String getHeader() {
			return this.header;
		}

		public IdentityClaim setHeader(@Nullable String header) {
			this.header = header;
			return this;
		}

	}

	/** {@code api-keys.*}. */
	public static class ApiKeysConfig {

		/** The request header carrying the key. */
		private String header = "X-API-Key";

		/** A query parameter that may carry the key instead (off unless set). */
		private @Nullable String queryParam;

		/** The accepted keys. */
		private List<ApiKey> keys = new ArrayList<>();

		public String getHeader() {
			return this.header;
		}

		public ApiKeysConfig setHeader(String header) {
			this.header = header;
			return this;
		}

		public @Nullable String getQueryParam() {
			return this.queryParam;
		}

		public ApiKeysConfig setQueryParam(@Nullable String queryParam) {
			this.queryParam = queryParam;
			return this;
		}

		public List<ApiKey> getKeys() {
			return this.keys;
		}

		public ApiKeysConfig setKeys(List<ApiKey> keys) {
			this.keys = keys;
			return this;
		}

	}

	/** One API key: its id (who it is) and the key's hash (SHA-256 hex or {@code {bcrypt}...}). */
	public static class ApiKey {

		private @Nullable String id;

		private @Nullable String hash;

		public @Nullable String getId() {
			return this.id;
		}

		public ApiKey setId(@Nullable String id) {
			this.id = id;
			return this;
		}

		public @Nullable String getHash() {
			return this.hash;
		}

		public ApiKey setHash(@Nullable String hash) {
			this.hash = hash;
			return this;
		}

	}

	/** {@code basic.*}. */
	public static class BasicConfig {

		private List<BasicUser> users = new ArrayList<>();

		public List<BasicUser> getUsers() {
			return this.users;
		}

		public BasicConfig setUsers(List<BasicUser> users) {
			this.users = users;
			return this;
		}

	}

	/** A Basic user: name and {@code {bcrypt}} password hash. */
	public static class BasicUser {

		private @Nullable String username;

		private @Nullable String password;

		public @Nullable String getUsername() {
			return this.username;
		}

		public BasicUser setUsername(@Nullable String username) {
			this.username = username;
			return this;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public BasicUser setPassword(@Nullable String password) {
			this.password = password;
			return this;
		}

	}

}
