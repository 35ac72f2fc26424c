package io.wsgate.auth;

import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.JwksServer;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway of {@link GatewayTest} plus routes with {@code WebSocketAuth} in front of the
 * echo backend, configured in the name/args form as in {@code application.yml}:
 * <ul>
 * <li>{@code /auth/hmac/**}: an HMAC secret, issuer and audience, every token source, an Origin
 * allow-list, identity headers {@code sub}, {@code scope} and {@code https://example.test/tenant},
 * no clock skew;</li>
 * <li>{@code /auth/scoped/**}: the same secret, requiring scope {@code chat.write} and claim
 * {@code tenant=acme};</li>
 * <li>{@code /auth/lasting/**}: the same secret, with {@code close-on-expiry=false} and
 * {@code require-expiry=false};</li>
 * <li>{@code /auth/jwks/**}: RSA keys from the test's {@link JwksServer}, refetched at most once a second;</li>
 * <li>{@code /auth/jwks-limited/**}: the same JWK set with the default refetch interval (30 s);</li>
 * <li>{@code /auth/pem/**}: an EC public key given as PEM;</li>
 * <li>{@code /auth/keys/**}: two API keys, one SHA-256 and one bcrypt, also taken from the
 * query parameter {@code api_key}; identity header {@code key_id};</li>
 * <li>{@code /auth/basic/**}: HTTP Basic user {@code alice}.</li>
 * </ul>
 */
abstract class AuthGatewayTest extends GatewayTest {

	static final String SECRET = "a-test-secret-of-more-than-256-bits-" + UUID.randomUUID();

	static final String ORIGIN = "https://app.example.test";

	static final JwksServer jwks = new JwksServer();

	static final RSAKey rsa1 = rsaKey("rsa-1");

	static final RSAKey rsa2 = rsaKey("rsa-2");

	static final ECKey ec;

	static final String SHA_KEY = "sha-key-" + UUID.randomUUID();

	static final String BCRYPT_KEY = "bcrypt-key-" + UUID.randomUUID();

	static final String PASSWORD = "correct horse battery staple";

	static {
		try {
			ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		jwks.publish(new JWKSet(rsa1));
	}

	@DynamicPropertySource
	static void authRoutes(DynamicPropertyRegistry registry) throws Exception {
		String echoUri = "ws://127.0.0.1:" + echo.port();
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4);

		Map<String, String> hmac = new java.util.LinkedHashMap<>();
		hmac.put("jwt.secret", SECRET);
		hmac.put("jwt.issuer", Tokens.ISSUER);
		hmac.put("jwt.audiences", "chat, dashboard");
		hmac.put("jwt.clock-skew", "0s");
		hmac.put("token-sources", "header, query, protocol, cookie");
		hmac.put("allowed-origins[0]", ORIGIN);
		hmac.put("allowed-origins[1]", "http://localhost:3000");
		hmac.put("identity-headers.sub", "X-Auth-Subject");
		hmac.put("identity-headers.scope", "X-Auth-Scopes");
		hmac.put("identity-claims[0].claim", "https://example.test/tenant");
		hmac.put("identity-claims[0].header", "X-Tenant");
		authRoute(registry, 16, "auth-hmac", echoUri, "/auth/hmac/**", hmac);

		authRoute(registry, 17, "auth-scoped", echoUri, "/auth/scoped/**",
				Map.of("jwt.secret", SECRET, "jwt.required-scopes", "chat.read, chat.write",
						"jwt.required-claims.tenant", "acme"));
		authRoute(registry, 18, "auth-lasting", echoUri, "/auth/lasting/**",
				Map.of("jwt.secret", SECRET, "jwt.close-on-expiry", "false", "jwt.clock-skew", "0s",
						"jwt.require-expiry", "false"));
		authRoute(registry, 19, "auth-jwks", echoUri, "/auth/jwks/**",
				Map.of("jwt.jwk-set-uri", jwks.uri(), "jwt.jwks-refetch-interval", "1s"));
		authRoute(registry, 23, "auth-jwks-limited", echoUri, "/auth/jwks-limited/**",
				Map.of("jwt.jwk-set-uri", jwks.uri(), "jwt.audiences", "chat"));
		String pem = "-----BEGIN PUBLIC KEY-----\n"
				+ Base64.getMimeEncoder().encodeToString(ec.toECPublicKey().getEncoded())
				+ "\n-----END PUBLIC KEY-----\n";
		authRoute(registry, 20, "auth-pem", echoUri, "/auth/pem/**", Map.of("jwt.public-key", pem));
		authRoute(registry, 21, "auth-keys", echoUri, "/auth/keys/**",
				Map.of("api-keys.keys[0].id", "dashboard", "api-keys.keys[0].hash", sha256Hex(SHA_KEY),
						"api-keys.keys[1].id", "ops", "api-keys.keys[1].hash", "{bcrypt}" + bcrypt.encode(BCRYPT_KEY),
						"api-keys.query-param", "api_key", "identity-headers.key_id", "X-Auth-Key-Id"));
		authRoute(registry, 22, "auth-basic", echoUri, "/auth/basic/**",
				Map.of("basic.users[0].username", "alice", "basic.users[0].password",
						"{bcrypt}" + bcrypt.encode(PASSWORD), "identity-headers.sub", "X-Auth-User"));
	}

	private static void authRoute(DynamicPropertyRegistry registry, int index, String id, String uri, String path,
			Map<String, String> args) {
		Routes.route(registry, index, id, uri, path);
		Routes.filter(registry, index, 0, "WebSocketAuth", args);
	}

	static String sha256Hex(String value) throws Exception {
		return HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
	}

	private static RSAKey rsaKey(String id) {
		try {
			return new RSAKeyGenerator(2048).keyID(id).generate();
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The connection is through: a message comes back, and it closes cleanly. */
	static void assertEchoes(RawWebSocket ws) throws Exception {
		assertThat(ws.status()).as("status, body: %s", ws.body()).isEqualTo(101);
		ws.sendText("hello");
		assertThat(ws.readFrame().text()).isEqualTo("hello");
		ws.sendClose(1000, "");
		Frame close = ws.readUntilClose();
		assertThat(close.closeCode()).isEqualTo(1000);
	}

}
