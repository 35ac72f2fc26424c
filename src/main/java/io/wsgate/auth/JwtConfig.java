package io.wsgate.auth;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * {@code WebSocketAuth}'s {@code jwt.*}: how bearer tokens are verified. One key source:
 * jwk-set-uri, public-key or secret.
 */
public class JwtConfig {

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
