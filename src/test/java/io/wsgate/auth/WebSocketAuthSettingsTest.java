package io.wsgate.auth;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.auth.ApiKeysConfig.ApiKey;
import io.wsgate.auth.BasicConfig.BasicUser;
import io.wsgate.resources.TrustedResources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A {@code WebSocketAuth} that cannot work is refused when the route is built, with a message naming the argument. */
@ExtendWith(OutputCaptureExtension.class)
class WebSocketAuthSettingsTest {

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	private static final SlowHashPool pool = new SlowHashPool(1, 4);

	@TempDir
	static Path trusted;

	private final WebSocketAuthGatewayFilterFactory factory = new WebSocketAuthGatewayFilterFactory(WebClient.create(),
			List.of(), pool.scheduler(), TrustedResources.classpathOnly());

	@AfterAll
	static void closePool() {
		pool.close();
	}

	@Test
	void aValidConfigurationDescribesItselfWithoutSecrets() {
		AuthConfig config = new AuthConfig().setJwt(new JwtConfig().setSecret(SECRET))
			.setAllowedOrigins(List.of("https://app.example.com"));
		String description = this.factory.apply(config).toString();
		assertThat(description).contains("jwt(secret)").contains("https://app.example.com").doesNotContain(SECRET);
	}

	@Test
	void atLeastOneMethod() {
		assertRefused(config -> {
		}, "WebSocketAuth: configure at least one of jwt, api-keys, basic");
	}

	@Test
	void exactlyOneKeySource() {
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET).setJwkSetUri("https://id/jwks")),
				"exactly one key source");
		assertRefused(config -> config.setJwt(new JwtConfig()), "exactly one key source");
	}

	@Test
	void hmacSecretsHaveAtLeast256Bits() {
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret("short")), "at least 256 bits");
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET).setAlgorithms(List.of("HS512"))),
				"at least 512 bits");
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET).setAlgorithms(List.of("RS256"))),
				"not an HMAC algorithm");
	}

	@Test
	void keySourcesMustBeUsable() {
		assertRefused(config -> config.setJwt(new JwtConfig().setJwkSetUri("ftp://id.example.com/jwks")),
				"jwt.jwk-set-uri must be an https URI, was ftp:");
		assertRefused(config -> config.setJwt(new JwtConfig().setPublicKey("not a key")),
				"jwt.public-key 'not a key' is refused: a location must be classpath: or file:");
		assertRefused(config -> config.setJwt(new JwtConfig().setPublicKey(
				"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")), "neither an RSA nor an EC public key");
		assertRefused(config -> config.setJwt(new JwtConfig().setJwkSetUri("https://id/jwks")
			.setAlgorithms(List.of("XS256"))), "XS256 is not a public-key algorithm");
	}

	@Test
	void jwkSetUrisMustBeHttpsButForLoopbackHosts() {
		for (String uri : List.of("http://id.example.com/jwks.json", "http://10.0.0.7/jwks", "http://127.0.0.1.nip.io/j")) {
			assertRefused(config -> config.setJwt(new JwtConfig().setJwkSetUri(uri)),
					"jwt.jwk-set-uri must be an https URI (http only for a loopback host), was " + uri);
		}
		for (String uri : List.of("https://id.example.com/jwks.json", "http://127.0.0.1:8081/jwks",
				"http://localhost/jwks", "http://[::1]:9000/jwks")) {
			assertThat(this.factory.apply(new AuthConfig().setJwt(new JwtConfig().setJwkSetUri(uri)))).isNotNull();
		}
		assertRefused(config -> config.setJwt(new JwtConfig().setJwkSetUri("https://id.example.com/jwks")
			.setJwksRefetchInterval(Duration.ofMillis(10))), "jwt.jwks-refetch-interval must be at least 1s");
	}

	@Test
	void publicKeysAreReadOnlyFromTheClasspathOrTheTrustedDirectory() throws Exception {
		Files.writeString(trusted.resolve("key.pem"), pem());
		Files.writeString(trusted.resolve("secret.txt"), "hunter2-top-secret");
		WebSocketAuthGatewayFilterFactory withDirectory = new WebSocketAuthGatewayFilterFactory(WebClient.create(),
				List.of(), pool.scheduler(), new TrustedResources(trusted));
		assertThat(withDirectory.apply(new AuthConfig().setJwt(new JwtConfig().setPublicKey("file:" + trusted.resolve("key.pem"))))
			.toString()).contains("jwt(public-key)");
		for (String location : List.of("file:/etc/passwd", "file:" + trusted + "/../../../etc/passwd",
				"https://evil.example.test/key.pem")) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> withDirectory.apply(new AuthConfig().setJwt(new JwtConfig().setPublicKey(location))))
				.withMessageContaining("jwt.public-key '" + location + "' is refused")
				.withMessageNotContaining("root");
		}
		assertThatIllegalArgumentException()
			.isThrownBy(() -> withDirectory.apply(
					new AuthConfig().setJwt(new JwtConfig().setPublicKey("file:" + trusted.resolve("secret.txt")))))
			.withMessageContaining("must be a PEM 'PUBLIC KEY'")
			.withMessageNotContaining("hunter2")
			.withNoCause();
		assertRefused(config -> config.setJwt(new JwtConfig().setPublicKey("file:" + trusted.resolve("key.pem"))),
				"file locations need wsgate.resources.directory, which is not set");
	}

	@Test
	void theUnknownUserCheckCostsWhatTheUsersChecksCost() {
		String cost12 = "{bcrypt}$2a$12$" + "a".repeat(53);
		String cost06 = "{bcrypt}$2y$06$" + "b".repeat(53);
		BasicAuthenticator basic = new BasicAuthenticator(new BasicConfig().setUsers(List.of(
				new BasicUser().setUsername("alice").setPassword(cost06),
				new BasicUser().setUsername("bob").setPassword(cost12))), "wsgate", new SlowHashes(pool.scheduler()));
		assertThat(basic.unknownUserCost()).isEqualTo(12);
	}

	@Test
	void unsafeButWorkingSettingsAreWarnedAboutNamingTheRoute(CapturedOutput output) {
		AuthConfig basic = new AuthConfig().setBasic(new BasicConfig()
			.setUsers(List.of(new BasicUser().setUsername("alice").setPassword("{bcrypt}$2a$04$" + "a".repeat(53)))));
		basic.setRouteId("intranet");
		this.factory.apply(basic);
		assertThat(output.getAll()).contains("route intranet: WebSocketAuth accepts HTTP Basic but has no allowed-origins");
		AuthConfig anyAudience = new AuthConfig().setJwt(new JwtConfig().setSecret(SECRET));
		anyAudience.setRouteId("chat");
		this.factory.apply(anyAudience);
		assertThat(output.getAll()).contains("route chat: WebSocketAuth jwt has neither audiences nor issuer");
		AuthConfig scoped = new AuthConfig().setJwt(new JwtConfig().setSecret(SECRET).setAudiences(List.of("chat")))
			.setAllowedOrigins(List.of("https://app.example.com"));
		scoped.setRouteId("scoped");
		this.factory.apply(scoped);
		assertThat(output.getAll()).doesNotContain("route scoped:");
	}

	private static String pem() throws Exception {
		var key = new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate();
		return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.toECPublicKey().getEncoded())
				+ "\n-----END PUBLIC KEY-----\n";
	}

	@Test
	void originsAreExactSchemeHostAndPort() {
		for (String origin : List.of("https://*.example.com", "https://app.example.com/path", "app.example.com",
				"*", "null")) {
			assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET)).setAllowedOrigins(List.of(origin)),
					"allowed-origins entry '" + origin + "' is not an origin");
		}
		assertThat(OriginPolicy.normalize("HTTPS://App.Example.com:443")).isEqualTo("https://app.example.com");
		assertThat(OriginPolicy.normalize("http://localhost:3000")).isEqualTo("http://localhost:3000");
	}

	@Test
	void apiKeysAreStoredAsHashesWithUniqueIds() {
		assertRefused(config -> config.setApiKeys(new ApiKeysConfig()), "api-keys.keys must list at least one");
		assertRefused(config -> config.setApiKeys(new ApiKeysConfig()
			.setKeys(List.of(new ApiKey().setId("a").setHash("my-plain-key")))),
				"api-keys.keys[0].hash must be a SHA-256 hash");
		String sha = "a".repeat(64);
		assertRefused(config -> config.setApiKeys(new ApiKeysConfig().setKeys(
				List.of(new ApiKey().setId("a").setHash(sha), new ApiKey().setId("a").setHash(sha)))),
				"api-keys.keys[1].id 'a' is listed twice");
		assertRefused(config -> config.setApiKeys(new ApiKeysConfig()
			.setKeys(List.of(new ApiKey().setId("a").setHash("{bcrypt}nope")))), "not a bcrypt hash");
	}

	@Test
	void basicPasswordsAreBcrypt() {
		assertRefused(config -> config.setBasic(new BasicConfig()
			.setUsers(List.of(new BasicUser().setUsername("alice").setPassword("a".repeat(64))))),
				"basic.users[0].password must be {bcrypt}");
		assertRefused(config -> config.setBasic(new BasicConfig()
			.setUsers(List.of(new BasicUser().setUsername("a:b").setPassword("{bcrypt}x")))), "may not contain ':'");
	}

	@Test
	void identityHeadersCannotTakeOverTheHandshake() {
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET))
			.setIdentityHeaders(Map.of("sub", "Host")), "identity-headers.sub: Host belongs to the handshake");
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET))
			.setIdentityHeaders(Map.of("sub", "X Subject")), "is not a header name");
	}

	@Test
	void tokenSourceNamesMustBeUsable() {
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET)).setTokenSources(List.of()),
				"token-sources must name at least one");
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET)).setProtocolPrefix(""),
				"protocol-prefix may not be empty");
		assertRefused(config -> config.setJwt(new JwtConfig().setSecret(SECRET)).setQueryParam("a&b"),
				"query-param 'a&b' has a character");
	}

	@Test
	void identityValuesAreRenderedSafely() {
		assertThat(IdentityHeaders.render(List.of("a", "b"))).isEqualTo("a,b");
		assertThat(IdentityHeaders.render(Instant.ofEpochSecond(42))).isEqualTo("42");
		assertThat(IdentityHeaders.render("José\r\nX-Evil: 1")).isEqualTo("Jos%C3%A9%0D%0AX-Evil: 1");
		assertThat(IdentityHeaders.render(Map.of("a", 1))).isNull();
		assertThat(IdentityHeaders.render("x".repeat(5000))).isNull();
	}

	private void assertRefused(Consumer<AuthConfig> setup, String message) {
		AuthConfig config = new AuthConfig();
		setup.accept(config);
		assertThatIllegalArgumentException().isThrownBy(() -> this.factory.apply(config))
			.withMessageStartingWith("WebSocketAuth: ")
			.withMessageContaining(message);
	}

}
