package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code WebSocketAuth}'s other key sources and methods: a JWK set with rotation, a PEM key, API keys, Basic. */
class AuthMethodsTest extends AuthGatewayTest {

	@Test
	void jwkSetKeysAreFetchedOnceAndANewKeyIdMakesThemFetchedAgainAfterTheRefetchInterval() throws Exception {
		jwks.publish(new JWKSet(rsa1));
		int before = jwks.fetches();
		String first = Tokens.rsa(rsa1, Tokens.claims("alice", 300));
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks/x", Tokens.bearer(first))) {
			assertEchoes(ws);
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks/x", Tokens.bearer(first))) {
			assertEchoes(ws);
		}
		assertThat(jwks.fetches() - before).as("fetches for two tokens of one key").isLessThanOrEqualTo(1);

		// the identity provider rotates: rsa-2 signs from now on, rsa-1 is withdrawn; the route
		// fetches the set again at most once a second, so the new key is taken within about that
		jwks.publish(new JWKSet(rsa2));
		int beforeRotation = jwks.fetches();
		String rotated = Tokens.rsa(rsa2, Tokens.claims("alice", 300));
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
			.until(() -> upgradeStatus("/auth/jwks/x", rotated) == 101);
		assertThat(jwks.fetches()).isEqualTo(beforeRotation + 1);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks/x", Tokens.bearer(first))) {
			assertThat(ws.status()).isEqualTo(401);
			assertThat(ws.header("www-authenticate")).contains("invalid_token");
		}
	}

	@Test
	void unknownKeyIdsDoNotMakeTheJwkSetFetchedForEachToken() throws Exception {
		jwks.publish(new JWKSet(rsa1));
		String known = Tokens.rsa(rsa1, Tokens.claims("alice", 300));
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks-limited/x", Tokens.bearer(known))) {
			assertEchoes(ws);
		}
		int before = jwks.fetches();
		for (int i = 0; i < 40; i++) {
			String forged = Tokens.rsa(rsa1, "kid-" + UUID.randomUUID(), Tokens.claims("mallory", 300));
			try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks-limited/x", Tokens.bearer(forged))) {
				assertThat(ws.status()).as("an unknown key id is a bad token, not an unavailable service")
					.isEqualTo(401);
				assertThat(ws.header("www-authenticate")).contains("invalid_token");
			}
		}
		assertThat(jwks.fetches() - before).as("JWK set fetches for 40 tokens with unknown key ids")
			.isLessThanOrEqualTo(1);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks-limited/x", Tokens.bearer(known))) {
			assertEchoes(ws);
		}
	}

	private int upgradeStatus(String path, String token) throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, path, Tokens.bearer(token))) {
			if (ws.status() == 101) {
				assertEchoes(ws);
			}
			return ws.status();
		}
	}

	@Test
	void tokenSignedByAnUnpublishedKeyIsRefused() throws Exception {
		var stranger = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("rsa-1").generate();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/jwks/x",
				Tokens.bearer(Tokens.rsa(stranger, Tokens.claims("mallory", 300))))) {
			assertThat(ws.status()).isEqualTo(401);
		}
	}

	@Test
	void ecPublicKeyFromPem() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/pem/x",
				Tokens.bearer(Tokens.ec(ec, Tokens.claims("alice", 300))))) {
			assertEchoes(ws);
		}
		String hmac = Tokens.hmac(SECRET, "alice", 300, c -> {
		});
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/pem/x", Tokens.bearer(hmac))) {
			assertThat(ws.status()).as("an HMAC token where an EC signature is expected").isEqualTo(401);
		}
	}

	@Test
	void apiKeyInTheHeaderIsCheckedAgainstItsSha256AndRemoved() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/keys/x?id=" + id,
				Map.of("X-API-Key", SHA_KEY, "X-Auth-Key-Id", "spoofed"))) {
			assertThat(ws.status()).isEqualTo(101);
			EchoBackend.Record seen = echo.record(id);
			assertThat(seen.headers().contains("X-API-Key")).isFalse();
			assertThat(seen.headers().getAll("X-Auth-Key-Id")).containsExactly("dashboard");
			assertEchoes(ws);
		}
	}

	@Test
	void bcryptApiKeyInTheQueryIsCheckedAndRemovedAndRemembered() throws Exception {
		for (int i = 0; i < 2; i++) {
			String id = newId();
			try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/keys/x?api_key=" + BCRYPT_KEY + "&id=" + id)) {
				assertThat(ws.status()).isEqualTo(101);
				assertThat(echo.record(id).uri()).isEqualTo("/auth/keys/x?id=" + id);
				assertThat(echo.record(id).headers().get("X-Auth-Key-Id")).isEqualTo("ops");
				assertEchoes(ws);
			}
		}
	}

	@Test
	void wrongApiKeyIs401() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/keys/x", Map.of("X-API-Key", "guess"))) {
			assertThat(ws.status()).isEqualTo(401);
			assertThat(ws.header("www-authenticate")).startsWith("ApiKey realm=\"wsgate\"");
			assertThat(ws.body()).contains("invalid API key");
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/keys/x")) {
			assertThat(ws.status()).isEqualTo(401);
		}
	}

	@Test
	void basicUserWithTheRightPasswordGetsThroughWithoutTheAuthorizationHeader() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/basic/x?id=" + id, basic("alice", PASSWORD))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(echo.record(id).headers().contains("Authorization")).isFalse();
			assertThat(echo.record(id).headers().get("X-Auth-User")).isEqualTo("alice");
			assertEchoes(ws);
		}
	}

	@Test
	void basicWithAWrongPasswordOrUnknownUserIs401WithABasicChallenge() throws Exception {
		for (Map<String, String> headers : new Map[] { basic("alice", "wrong"), basic("bob", PASSWORD),
				Map.of("Authorization", "Basic !!!") }) {
			try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/basic/x", headers)) {
				assertThat(ws.status()).isEqualTo(401);
				assertThat(ws.header("www-authenticate")).isEqualTo("Basic realm=\"wsgate\", charset=\"UTF-8\"");
			}
		}
	}

	private static Map<String, String> basic(String user, String password) {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Authorization", "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
		return headers;
	}

}
