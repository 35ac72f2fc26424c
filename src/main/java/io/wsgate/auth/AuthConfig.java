package io.wsgate.auth;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.support.HasRouteId;

/**
 * The arguments of {@code WebSocketAuth}, bound from a route's filter definition; the
 * configuration class of {@link WebSocketAuthGatewayFilterFactory}. The credential kinds have
 * their own: {@link JwtConfig}, {@link ApiKeysConfig}, {@link BasicConfig}.
 */
public class AuthConfig implements HasRouteId {

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

	public AuthConfig setJwt(@Nullable JwtConfig jwt) {
		this.jwt = jwt;
		return this;
	}

	public @Nullable ApiKeysConfig getApiKeys() {
		return this.apiKeys;
	}

	public AuthConfig setApiKeys(@Nullable ApiKeysConfig apiKeys) {
		this.apiKeys = apiKeys;
		return this;
	}

	public @Nullable BasicConfig getBasic() {
		return this.basic;
	}

	public AuthConfig setBasic(@Nullable BasicConfig basic) {
		this.basic = basic;
		return this;
	}

	public List<TokenSource> getTokenSources() {
		return this.tokenSources;
	}

	public AuthConfig setTokenSources(List<TokenSource> tokenSources) {
		this.tokenSources = tokenSources;
		return this;
	}

	public String getQueryParam() {
		return this.queryParam;
	}

	public AuthConfig setQueryParam(String queryParam) {
		this.queryParam = queryParam;
		return this;
	}

	public String getProtocolPrefix() {
		return this.protocolPrefix;
	}

	public AuthConfig setProtocolPrefix(String protocolPrefix) {
		this.protocolPrefix = protocolPrefix;
		return this;
	}

	public String getCookie() {
		return this.cookie;
	}

	public AuthConfig setCookie(String cookie) {
		this.cookie = cookie;
		return this;
	}

	public List<String> getAllowedOrigins() {
		return this.allowedOrigins;
	}

	public AuthConfig setAllowedOrigins(List<String> allowedOrigins) {
		this.allowedOrigins = allowedOrigins;
		return this;
	}

	public boolean isAllowMissingOrigin() {
		return this.allowMissingOrigin;
	}

	public AuthConfig setAllowMissingOrigin(boolean allowMissingOrigin) {
		this.allowMissingOrigin = allowMissingOrigin;
		return this;
	}

	public Map<String, String> getIdentityHeaders() {
		return this.identityHeaders;
	}

	public AuthConfig setIdentityHeaders(Map<String, String> identityHeaders) {
		this.identityHeaders = identityHeaders;
		return this;
	}

	public List<IdentityClaim> getIdentityClaims() {
		return this.identityClaims;
	}

	public AuthConfig setIdentityClaims(List<IdentityClaim> identityClaims) {
		this.identityClaims = identityClaims;
		return this;
	}

	public String getRealm() {
		return this.realm;
	}

	public AuthConfig setRealm(String realm) {
		this.realm = realm;
		return this;
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

}
