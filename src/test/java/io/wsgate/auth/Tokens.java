package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** JWTs minted in the test, signed with an HMAC secret, an RSA key or an EC key. */
final class Tokens {

	static final String ISSUER = "https://id.example.test";

	private Tokens() {
	}

	/** A claims set for {@code subject}, valid for {@code seconds}, with the test's issuer and audience. */
	static JWTClaimsSet.Builder claims(String subject, long seconds) {
		Instant now = Instant.now();
		return new JWTClaimsSet.Builder().subject(subject)
			.issuer(ISSUER)
			.audience("chat")
			.issueTime(Date.from(now.minusSeconds(120)))
			.expirationTime(Date.from(now.plusSeconds(seconds)));
	}

	static String hmac(String secret, JWTClaimsSet.Builder claims) {
		return sign(JWSAlgorithm.HS256, null, signer(() -> new MACSigner(secret.getBytes(StandardCharsets.UTF_8))),
				claims);
	}

	static String hmac(String secret, String subject, long seconds, Consumer<JWTClaimsSet.Builder> more) {
		JWTClaimsSet.Builder claims = claims(subject, seconds);
		more.accept(claims);
		return hmac(secret, claims);
	}

	static String rsa(RSAKey key, JWTClaimsSet.Builder claims) {
		return sign(JWSAlgorithm.RS256, key.getKeyID(), signer(() -> new RSASSASigner(key)), claims);
	}

	/** Signed by {@code key} but naming another key id, as a forger probing for keys would. */
	static String rsa(RSAKey key, String keyId, JWTClaimsSet.Builder claims) {
		return sign(JWSAlgorithm.RS256, keyId, signer(() -> new RSASSASigner(key)), claims);
	}

	/** A claims set for {@code subject} without {@code exp}: a token that would never expire. */
	static JWTClaimsSet.Builder claimsWithoutExpiry(String subject) {
		return claims(subject, 0).expirationTime(null);
	}

	static String ec(ECKey key, JWTClaimsSet.Builder claims) {
		return sign(JWSAlgorithm.ES256, key.getKeyID(), signer(() -> new ECDSASigner(key)), claims);
	}

	static Map<String, String> bearer(String token) {
		return Map.of("Authorization", "Bearer " + token);
	}

	private static String sign(JWSAlgorithm algorithm, String keyId, JWSSigner signer, JWTClaimsSet.Builder claims) {
		SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(keyId).build(), claims.build());
		try {
			jwt.sign(signer);
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	private interface SignerSupplier {

		JWSSigner get() throws JOSEException;

	}

	private static JWSSigner signer(SignerSupplier supplier) {
		try {
			return supplier.get();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
