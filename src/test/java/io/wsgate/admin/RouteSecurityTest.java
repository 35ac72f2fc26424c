package io.wsgate.admin;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Attacks on the management plane through runtime routes: no read shows a route's secret (so
 * no one who reads can forge a token), secrets can be referenced instead of stored, a
 * {@code forward:} route or a route over the management endpoints is refused, so is a route to
 * a metadata or link-local address, and a write without a JSON body or an
 * {@code X-Requested-By} header (a forged cross-site form) is refused.
 */
class RouteSecurityTest extends AdminGatewayTest {

	private static final String INLINE_SECRET = "inline-hmac-secret-that-is-long-enough-1234";

	private static final String KEY_HASH = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

	@Test
	void noReadShowsARouteSecretToTheViewerOrTheAdmin() throws Exception {
		HttpResponse<String> created = admin().post("/actuator/gateway/routes/secretive", route(echoUri(),
				"/secretive/**", jwtFilter(INLINE_SECRET),
				"{\"name\":\"WebSocketAuth\",\"args\":{\"api-keys.keys[0].id\":\"alice\",\"api-keys.keys[0].hash\":\""
						+ KEY_HASH + "\",\"basic.users[0].username\":\"bob\",\"basic.users[0].password\":\""
						+ "{bcrypt}$2a$04$abcdefghijklmnopqrstuuVhhr4l4fEV3wJGNcJrx4tyzDUpH1ACG\"}}"));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(upgradesRefused("/secretive/x")).isTrue();

		for (String path : List.of("/actuator/gateway/routedefinitions", "/actuator/gateway/routes",
				"/actuator/gateway/routes/secretive", "/actuator/gateway/routes/secretive/combinedfilters")) {
			for (var reader : List.of(viewer(), admin())) {
				HttpResponse<String> read = reader.get(path);
				assertThat(read.statusCode()).as(path).isEqualTo(200);
				assertThat(read.body()).as(path)
					.contains("secretive")
					.doesNotContain(INLINE_SECRET)
					.doesNotContain(KEY_HASH)
					.doesNotContain("$2a$04$");
			}
		}
		assertThat(viewer().get("/actuator/gateway/routedefinitions").body()).contains("\"jwt.secret\":\"******\"");
		// what is stored is whole: the route still authenticates (an API key whose hash is stored)
		assertThat(Files.readString(storeFile)).contains(KEY_HASH);
	}

	@Test
	void aReferencedSecretAuthenticatesWhileOnlyTheReferenceIsStoredAndShown() throws Exception {
		HttpResponse<String> created = admin().post("/actuator/gateway/routes/referencing",
				route(echoUri(), "/referencing/**", jwtFilter("${secret:test-jwt}")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

		await().atMost(Duration.ofSeconds(5)).until(() -> status("/referencing/x") == 401);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/referencing/x",
				Map.of("Authorization", "Bearer " + token(REFERENCED_SECRET)))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/referencing/x",
				Map.of("Authorization", "Bearer " + token(INLINE_SECRET)))) {
			assertThat(ws.status()).as("a token signed with another key").isEqualTo(401);
		}
		assertThat(Files.readString(storeFile)).contains("${secret:test-jwt}").doesNotContain(REFERENCED_SECRET);
		String definitions = viewer().get("/actuator/gateway/routedefinitions").body();
		assertThat(definitions).contains("${secret:test-jwt}").doesNotContain(REFERENCED_SECRET);
	}

	@Test
	void aReferenceToASecretThatDoesNotExistIsRefused() throws Exception {
		HttpResponse<String> refused = admin().post("/actuator/gateway/routes/dangling",
				route(echoUri(), "/dangling/**", jwtFilter("${secret:no-such-secret}")));
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("wsgate.secrets.no-such-secret");
		assertThat(admin().get("/actuator/gateway/routes/dangling").statusCode()).isEqualTo(404);
	}

	@Test
	void aRefusedSecretIsNotEchoedInTheError() throws Exception {
		String tooShort = "short-secret-xyz";
		HttpResponse<String> refused = admin().post("/actuator/gateway/routes/short",
				route(echoUri(), "/short/**", jwtFilter(tooShort)));
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("route short").doesNotContain(tooShort);
	}

	@Test
	void aForwardRouteIsRefusedAndServesNothing() throws Exception {
		HttpResponse<String> refused = admin().post("/actuator/gateway/routes/leak",
				"{\"uri\":\"forward:/actuator/gateway/routedefinitions\",\"predicates\":[\"Path=/leak\"]}");
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(refused.body()).contains("forward").contains("ws, wss, http, https or lb");
		assertThat(anonymous().get("/leak").statusCode()).isEqualTo(404);
		assertThat(admin().get("/actuator/gateway/routes/leak").statusCode()).isEqualTo(404);
	}

	@Test
	void routesOverTheManagementEndpointsAreRefused() throws Exception {
		for (String path : List.of("/**", "/actuator/**", "/{x}/**", "/act*", "/actuator/gateway/**",
				"/other/**,/actuator")) {
			HttpResponse<String> refused = admin().post("/actuator/gateway/routes/shadow", route(echoUri(), path));
			assertThat(refused.statusCode()).as(path).isEqualTo(400);
			assertThat(refused.body()).as(path).contains("management endpoints");
		}
		assertThat(admin().post("/actuator/gateway/routes/shadow", route(echoUri(), "/actuatorish/**")).statusCode())
			.isEqualTo(201);
	}

	@Test
	void routesToMetadataLinkLocalAndUnspecifiedAddressesAreRefused() throws Exception {
		for (String uri : List.of("http://169.254.169.254", "ws://169.254.10.1:80", "ws://100.100.100.200",
				"ws://[fd00:ec2::254]", "ws://[fe80::1]:9", "ws://0.0.0.0:9", "wss://[::ffff:169.254.169.254]")) {
			HttpResponse<String> refused = admin().post("/actuator/gateway/routes/ssrf", route(uri, "/ssrf/**"));
			assertThat(refused.statusCode()).as(uri).isEqualTo(400);
			assertThat(refused.body()).as(uri).contains("wsgate.routes.backends.allow");
		}
		assertThat(admin().get("/actuator/gateway/routes/ssrf").statusCode()).isEqualTo(404);
	}

	@Test
	void aWriteWithoutJsonOrTheRequestedByHeaderIsRefused() throws Exception {
		var forged = admin().withoutRequestedByHeader();
		for (String[] call : new String[][] { { "POST", "/actuator/gateway/refresh" },
				{ "DELETE", "/actuator/gateway/routes/configured" },
				{ "POST", "/actuator/wsbackends/no-such-pool/probe" } }) {
			HttpResponse<String> refused = forged.send(call[0], call[1], null);
			assertThat(refused.statusCode()).as(call[1]).isEqualTo(403);
			assertThat(refused.body()).as(call[1]).contains("X-Requested-By");
		}
		assertThat(status("/configured/x")).isEqualTo(101);
		// a JSON body is as deliberate as the header
		assertThat(forged.post("/actuator/gateway/routes/deliberate", route(echoUri(), "/deliberate/**")).statusCode())
			.isEqualTo(201);
		assertThat(admin().post("/actuator/gateway/refresh", null).statusCode()).isEqualTo(200);
	}

	private boolean upgradesRefused(String path) {
		await().atMost(Duration.ofSeconds(5)).until(() -> status(path) == 401);
		return true;
	}

	private static String jwtFilter(String secret) {
		return "{\"name\":\"WebSocketAuth\",\"args\":{\"jwt.secret\":\"" + secret
				+ "\",\"jwt.algorithms[0]\":\"HS256\",\"jwt.issuer\":\"https://id.example.test\","
				+ "\"jwt.audiences[0]\":\"wsgate-test\"}}";
	}

	private static String token(String secret) throws Exception {
		Instant now = Instant.now();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("alice")
			.issuer("https://id.example.test")
			.audience("wsgate-test")
			.issueTime(Date.from(now))
			.notBeforeTime(Date.from(now.minusSeconds(5)))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
		return jwt.serialize();
	}

}
