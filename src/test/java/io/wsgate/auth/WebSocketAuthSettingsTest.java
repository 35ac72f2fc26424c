package io.wsgate.auth;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.ApiKey;
import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.ApiKeysConfig;
import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.BasicConfig;
import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.BasicUser;
import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.Config;
import io.wsgate.auth.WebSocketAuthGatewayFilterFactory.JwtConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A {@code WebSocketAuth} that cannot work is refused when the route is built, with a message naming the argument. */
class WebSocketAuthSettingsTest {

	private static final String SECRET = "0123456789abcdef0123456789abcdef";

	private final WebSocketAuthGatewayFilterFactory factory = new WebSocketAuthGatewayFilterFactory(WebClient.create(),
			List.of());

	@Test
	void aValidConfigurationDescribesItselfWithoutSecrets() {
		Config config = new Config().setJwt(new JwtConfig().setSecret(SECRET))
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
				"must be an http(s) URI");
		assertRefused(config -> config.setJwt(new JwtConfig().setPublicKey("not a key")), "cannot read");
		assertRefused(config -> config.setJwt(new JwtConfig().setPublicKey(
				"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")), "neither an RSA nor an EC public key");
		assertRefused(config -> config.setJwt(new JwtConfig().setJwkSetUri("https://id/jwks")
			.setAlgorithms(List.of("XS256"))), "XS256 is not a public-key algorithm");
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
		assertThat(IdentityHeaders.render(java.time.Instant.ofEpochSecond(42))).isEqualTo("42");
		assertThat(IdentityHeaders.render("José\r\nX-Evil: 1")).isEqualTo("Jos%C3%A9%0D%0AX-Evil: 1");
		assertThat(IdentityHeaders.render(Map.of("a", 1))).isNull();
		assertThat(IdentityHeaders.render("x".repeat(5000))).isNull();
	}

	private void assertRefused(Consumer<Config> setup, String message) {
		Config config = new Config();
		setup.accept(config);
		assertThatIllegalArgumentException().isThrownBy(() -> this.factory.apply(config))
			.withMessageStartingWith("WebSocketAuth: ")
			.withMessageContaining(message);
	}

}
