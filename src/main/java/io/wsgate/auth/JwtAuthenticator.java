package io.wsgate.auth;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSecurityContextJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtValidationException;
import org.springframework.security.oauth2.jwt.NimbusReactiveJwtDecoder;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.resources.TrustedResources;

/**
 * Checks bearer tokens with Spring Security's reactive Nimbus decoder: the signature against a
 * JWK set fetched from {@code jwk-set-uri} ({@link JwksSource}: cached; a token with an unknown
 * {@code kid} makes it fetch the set again, at most once per {@code jwks-refetch-interval}), a
 * PEM public key or an HMAC secret; then the issuer and audiences (401 when wrong), the times
 * with the clock skew (401 "token expired"; no {@code exp} is 401 unless
 * {@code require-expiry} is off), and the required scopes and claims (403 when missing).
 */
final class JwtAuthenticator {

	private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);

	private static final Duration MIN_REFETCH = Duration.ofSeconds(1);

	private final ReactiveJwtDecoder decoder;

	private final Duration clockSkew;

	private final boolean requireExpiry;

	private final Set<String> requiredScopes;

	private final Map<String, String> requiredClaims;

	private final String realm;

	private final String description;

	private JwtAuthenticator(ReactiveJwtDecoder decoder, JwtConfig config, String realm, String description) {
		this.decoder = decoder;
		this.clockSkew = config.getClockSkew();
		this.requireExpiry = config.isRequireExpiry();
		this.requiredScopes = new LinkedHashSet<>(config.getRequiredScopes());
		this.requiredClaims = Map.copyOf(config.getRequiredClaims());
		this.realm = realm;
		this.description = description;
	}

	/**
	 * A decoder for the configured key source.
	 * @throws IllegalArgumentException naming the argument that is wrong
	 */
	static JwtAuthenticator of(JwtConfig config, String realm, WebClient jwksClient, TrustedResources resources) {
		int sources = count(config.getJwkSetUri()) + count(config.getPublicKey()) + count(config.getSecret());
		if (sources != 1) {
			throw new IllegalArgumentException(
					"jwt needs exactly one key source: jwk-set-uri, public-key or secret (found " + sources + ")");
		}
		if (config.getClockSkew() == null || config.getClockSkew().isNegative()) {
			throw new IllegalArgumentException("jwt.clock-skew must be 0 or a positive duration");
		}
		for (String claim : config.getRequiredClaims().keySet()) {
			if (config.getRequiredClaims().get(claim) == null) {
				throw new IllegalArgumentException("jwt.required-claims." + claim + " needs a value");
			}
		}
		if (config.getJwksRefetchInterval() == null || config.getJwksRefetchInterval().compareTo(MIN_REFETCH) < 0) {
			throw new IllegalArgumentException("jwt.jwks-refetch-interval must be at least 1s");
		}
		NimbusReactiveJwtDecoder decoder;
		String description;
		if (config.getSecret() != null) {
			decoder = secretDecoder(config.getSecret(), config.getAlgorithms());
			description = "secret";
		}
		else if (config.getPublicKey() != null) {
			decoder = publicKeyDecoder(config.getPublicKey(), config.getAlgorithms(), resources);
			description = "public-key";
		}
		else {
			URI uri = jwkSetUri(config.getJwkSetUri());
			description = "jwk-set-uri=" + uri.getScheme() + "://" + uri.getRawAuthority()
					+ ((uri.getRawPath() != null) ? uri.getRawPath() : "");
			List<SignatureAlgorithm> algorithms = signatureAlgorithms(config.getAlgorithms(),
					List.of(SignatureAlgorithm.RS256));
			JwksSource keys = new JwksSource(jwksClient, uri, description, config.getJwksRefetchInterval());
			decoder = keySourceDecoder(keys::keys, algorithms);
		}
		List<OAuth2TokenValidator<Jwt>> validators = new ArrayList<>();
		if (config.getIssuer() != null && !config.getIssuer().isBlank()) {
			validators.add(new JwtIssuerValidator(config.getIssuer()));
		}
		if (!config.getAudiences().isEmpty()) {
			Set<String> audiences = Set.copyOf(config.getAudiences());
			validators.add(new JwtClaimValidator<Collection<String>>("aud",
					aud -> aud != null && aud.stream().anyMatch(audiences::contains)));
		}
		// times are checked after decoding, to tell an expired token from a bad one
		decoder.setJwtValidator(new DelegatingOAuth2TokenValidator<>(validators));
		return new JwtAuthenticator(decoder, config, realm, description);
	}

	Mono<AuthResult> authenticate(String token) {
		return this.decoder.decode(token)
			.map(this::check)
			.onErrorResume(JwtValidationException.class,
					ex -> Mono.just(invalid(Refusal.INVALID, firstDescription(ex))))
			.onErrorResume(BadJwtException.class, ex -> Mono.just(invalid(Refusal.INVALID, badToken(ex))))
			.onErrorResume(JwtException.class, ex -> {
				log.warn("cannot check tokens: {}", ex.getMessage());
				return Mono.just(unavailable());
			})
			// Spring Security wraps what the key source fails with: the JWK set could not be had (logged there)
			.onErrorResume(ex -> hasCause(ex, JwksSource.UnavailableException.class), ex -> Mono.just(unavailable()));
	}

	private static AuthResult unavailable() {
		return AuthResult.refused(new Refusal(503, Refusal.UNAVAILABLE, "authentication unavailable", null));
	}

	private static boolean hasCause(Throwable ex, Class<? extends Throwable> type) {
		for (Throwable cause = ex; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (type.isInstance(cause)) {
				return true;
			}
		}
		return false;
	}

	private AuthResult check(Jwt jwt) {
		Instant now = Instant.now();
		Instant expiresAt = jwt.getExpiresAt();
		if (expiresAt == null && this.requireExpiry) {
			return invalid(Refusal.INVALID, "token has no expiry (exp)");
		}
		if (expiresAt != null && now.minus(this.clockSkew).isAfter(expiresAt)) {
			return invalid(Refusal.EXPIRED, "token expired");
		}
		Instant notBefore = jwt.getNotBefore();
		if (notBefore != null && now.plus(this.clockSkew).isBefore(notBefore)) {
			return invalid(Refusal.INVALID, "token not yet valid");
		}
		Set<String> scopes = scopes(jwt);
		if (!scopes.containsAll(this.requiredScopes)) {
			return AuthResult.refused(new Refusal(403, Refusal.FORBIDDEN, "insufficient scope",
					Refusal.challenge("Bearer", this.realm, "error", "insufficient_scope", "error_description",
							"insufficient scope", "scope", String.join(" ", this.requiredScopes))));
		}
		for (Map.Entry<String, String> required : this.requiredClaims.entrySet()) {
			if (!claimMatches(jwt.getClaims().get(required.getKey()), required.getValue())) {
				String why = "claim " + required.getKey() + " does not match";
				return AuthResult.refused(new Refusal(403, Refusal.FORBIDDEN, why,
						Refusal.challenge("Bearer", this.realm, "error", "insufficient_scope", "error_description",
								why)));
			}
		}
		String subject = jwt.getSubject();
		Instant deadline = (expiresAt != null) ? expiresAt.plus(this.clockSkew) : null;
		return AuthResult.accepted(
				new WebSocketPrincipal((subject != null) ? subject : "-", "jwt", jwt.getClaims(), deadline));
	}

	/** {@code scope} (space separated, or a list) and {@code scp}, together. */
	static Set<String> scopes(Jwt jwt) {
		Set<String> scopes = new LinkedHashSet<>();
		for (String claim : List.of("scope", "scp")) {
			Object value = jwt.getClaims().get(claim);
			if (value instanceof String text) {
				for (String scope : text.split(" ")) {
					if (!scope.isEmpty()) {
						scopes.add(scope);
					}
				}
			}
			else if (value instanceof Collection<?> list) {
				list.forEach(scope -> scopes.add(String.valueOf(scope)));
			}
		}
		return scopes;
	}

	private static boolean claimMatches(@Nullable Object value, String expected) {
		if (value instanceof Collection<?> list) {
			return list.stream().anyMatch(item -> expected.equals(String.valueOf(item)));
		}
		if (value instanceof Instant instant) {
			return expected.equals(String.valueOf(instant.getEpochSecond()));
		}
		return value != null && expected.equals(String.valueOf(value));
	}

	private AuthResult invalid(String reason, String description) {
		return AuthResult.refused(new Refusal(401, reason, description, Refusal.challenge("Bearer", this.realm,
				"error", "invalid_token", "error_description", description)));
	}

	private static String firstDescription(JwtValidationException ex) {
		for (OAuth2Error error : ex.getErrors()) {
			if (error.getDescription() != null) {
				return error.getDescription();
			}
		}
		return "invalid token";
	}

	/** What is wrong, in a few words from Nimbus's message; never a part of the token. */
	private static String badToken(BadJwtException ex) {
		String message = String.valueOf(ex.getMessage());
		if (ex.getCause() != null) {
			message += " " + ex.getCause().getMessage();
		}
		if (message.contains("Invalid signature")) {
			return "invalid signature";
		}
		if (message.contains("Another algorithm expected") || message.contains("no matching key")) {
			return "no key matches the token (algorithm or key id)";
		}
		if (message.contains("Malformed") || message.contains("Invalid serialized") || message.contains("Invalid JWT")
				|| message.contains("Invalid unsecured/JWS/JWE header") || message.contains("Unsupported algorithm")) {
			return "malformed token";
		}
		return "invalid token";
	}

	private static NimbusReactiveJwtDecoder secretDecoder(String secret, List<String> algorithmNames) {
		byte[] key = secret.startsWith("base64:") ? decodeBase64(secret.substring(7))
				: secret.getBytes(StandardCharsets.UTF_8);
		List<MacAlgorithm> algorithms = new ArrayList<>();
		for (String name : orDefault(algorithmNames, List.of("HS256"))) {
			MacAlgorithm algorithm = MacAlgorithm.from(name.trim());
			if (algorithm == null) {
				throw new IllegalArgumentException("jwt.algorithms: " + name + " is not an HMAC algorithm "
						+ "(HS256, HS384, HS512) and a secret is configured");
			}
			int bits = Integer.parseInt(algorithm.getName().substring(2));
			if (key.length * 8 < bits) {
				throw new IllegalArgumentException("jwt.secret must have at least " + bits + " bits for "
						+ algorithm.getName() + " (" + bits / 8 + " bytes), has " + key.length + " bytes");
			}
			algorithms.add(algorithm);
		}
		SecretKey secretKey = new SecretKeySpec(key, "HmacSHA256");
		Set<JWSAlgorithm> nimbus = new LinkedHashSet<>();
		algorithms.forEach(algorithm -> nimbus.add(JWSAlgorithm.parse(algorithm.getName())));
		return NimbusReactiveJwtDecoder.withSecretKey(secretKey)
			.macAlgorithm(algorithms.get(0))
			.validateType(false)
			.jwtProcessorCustomizer(processor -> processor
				.setJWSKeySelector(new JWSVerificationKeySelector<>(nimbus, new ImmutableSecret<>(secretKey))))
			.build();
	}

	private static NimbusReactiveJwtDecoder publicKeyDecoder(String pemOrLocation, List<String> algorithmNames,
			TrustedResources resources) {
		PublicKey key = readPublicKey(pemOrLocation, resources);
		JWK jwk;
		List<SignatureAlgorithm> defaults;
		if (key instanceof RSAPublicKey rsa) {
			jwk = new RSAKey.Builder(rsa).build();
			defaults = List.of(SignatureAlgorithm.RS256);
		}
		else if (key instanceof ECPublicKey ec) {
			Curve curve = Curve.forECParameterSpec(ec.getParams());
			if (curve == null) {
				throw new IllegalArgumentException("jwt.public-key: unsupported elliptic curve");
			}
			jwk = new ECKey.Builder(curve, ec).build();
			defaults = List.of(switch (curve.getName()) {
				case "P-384" -> SignatureAlgorithm.ES384;
				case "P-521" -> SignatureAlgorithm.ES512;
				default -> SignatureAlgorithm.ES256;
			});
		}
		else {
			throw new IllegalArgumentException("jwt.public-key must be an RSA or EC key");
		}
		List<SignatureAlgorithm> algorithms = signatureAlgorithms(algorithmNames, defaults);
		// one key: whatever key id a token names, this is the key to check it with
		return keySourceDecoder(signedJwt -> Flux.just(withKeyId(jwk, signedJwt.getHeader().getKeyID())), algorithms);
	}

	/** A decoder over {@code keys}, accepting every one of {@code algorithms}. */
	private static NimbusReactiveJwtDecoder keySourceDecoder(Function<SignedJWT, Flux<JWK>> keys,
			List<SignatureAlgorithm> algorithms) {
		Set<JWSAlgorithm> nimbus = new LinkedHashSet<>();
		algorithms.forEach(algorithm -> nimbus.add(JWSAlgorithm.parse(algorithm.getName())));
		return NimbusReactiveJwtDecoder.withJwkSource(keys)
			.validateType(false)
			.jwtProcessorCustomizer(processor -> processor
				.setJWSKeySelector(new JWSVerificationKeySelector<>(nimbus, new JWKSecurityContextJWKSet())))
			.build();
	}

	/**
	 * {@code jwk-set-uri}, which must be {@code https}: keys fetched in the clear could be
	 * replaced on the way. {@code http} is accepted for loopback hosts only (an identity provider
	 * beside the gateway, or a test).
	 */
	static URI jwkSetUri(String uri) {
		URI parsed;
		try {
			parsed = new URI(uri);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("jwt.jwk-set-uri is not a URI: " + uri);
		}
		String scheme = (parsed.getScheme() != null) ? parsed.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("https") && !scheme.equals("http")) {
			throw new IllegalArgumentException("jwt.jwk-set-uri must be an https URI, was " + uri);
		}
		if (parsed.getHost() == null) {
			throw new IllegalArgumentException("jwt.jwk-set-uri has no host: " + uri);
		}
		if (scheme.equals("http") && !isLoopback(parsed.getHost())) {
			throw new IllegalArgumentException("jwt.jwk-set-uri must be an https URI (http only for a loopback "
					+ "host), was " + uri);
		}
		return parsed;
	}

	private static boolean isLoopback(String host) {
		String name = host.toLowerCase(Locale.ROOT);
		if (name.equals("localhost")) {
			return true;
		}
		if (name.startsWith("[") && name.endsWith("]")) {
			name = name.substring(1, name.length() - 1);
		}
		// only literal addresses: a name is never resolved here
		if (!name.matches("[0-9.]+") && !name.contains(":")) {
			return false;
		}
		try {
			return InetAddress.getByName(name).isLoopbackAddress();
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static JWK withKeyId(JWK jwk, @Nullable String keyId) {
		if (keyId == null) {
			return jwk;
		}
		return (jwk instanceof RSAKey rsa) ? new RSAKey.Builder(rsa).keyID(keyId).build()
				: new ECKey.Builder((ECKey) jwk).keyID(keyId).build();
	}

	private static List<SignatureAlgorithm> signatureAlgorithms(List<String> names,
			List<SignatureAlgorithm> defaults) {
		if (names.isEmpty()) {
			return defaults;
		}
		List<SignatureAlgorithm> algorithms = new ArrayList<>();
		for (String name : names) {
			SignatureAlgorithm algorithm = SignatureAlgorithm.from(name.trim());
			if (algorithm == null) {
				throw new IllegalArgumentException("jwt.algorithms: " + name
						+ " is not a public-key algorithm (RS256..RS512, ES256..ES512, PS256..PS512)");
			}
			algorithms.add(algorithm);
		}
		return algorithms;
	}

	/**
	 * A PEM {@code PUBLIC KEY} given inline, or at a {@code classpath:} location or a
	 * {@code file:} under the trusted directory; what a file holds is never quoted.
	 */
	static PublicKey readPublicKey(String pemOrLocation, TrustedResources resources) {
		String pem = pemOrLocation.trim();
		if (!pem.startsWith("-----BEGIN")) {
			pem = resources.read("jwt.public-key", pemOrLocation);
		}
		int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
		int end = pem.indexOf("-----END PUBLIC KEY-----");
		if (begin < 0 || end < begin) {
			throw new IllegalArgumentException(
					"jwt.public-key must be a PEM 'PUBLIC KEY' (SubjectPublicKeyInfo), inline or at a classpath: or "
							+ "file: location");
		}
		byte[] der = decodeBase64(pem.substring(begin + 26, end).replaceAll("\\s", ""));
		for (String type : List.of("RSA", "EC")) {
			try {
				return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
			}
			catch (InvalidKeySpecException | NoSuchAlgorithmException ex) {
				// try the next type
			}
		}
		throw new IllegalArgumentException("jwt.public-key is neither an RSA nor an EC public key");
	}

	private static byte[] decodeBase64(String value) {
		try {
			return Base64.getMimeDecoder().decode(value);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("jwt: invalid base64 in a key");
		}
	}

	private static List<String> orDefault(List<String> values, List<String> defaults) {
		return values.isEmpty() ? defaults : values;
	}

	private static int count(@Nullable String value) {
		return (value != null && !value.isBlank()) ? 1 : 0;
	}

	@Override
	public String toString() {
		return "jwt(" + this.description + ")";
	}

}
