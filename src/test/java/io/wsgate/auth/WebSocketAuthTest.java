package io.wsgate.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.wsgate.proxy.MeterTags;
import io.wsgate.metrics.AuthMetrics;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code WebSocketAuth} with JWTs: every token source, every refusal, Origin, identity, expiry. */
@ExtendWith(OutputCaptureExtension.class)
class WebSocketAuthTest extends AuthGatewayTest {

	@Autowired
	MeterRegistry meters;

	private static String token(String subject) {
		return Tokens.hmac(SECRET, subject, 300, claims -> claims.claim("scope", "chat.read chat.write"));
	}

	@Test
	void tokenInTheAuthorizationHeaderGetsThroughAndTheBackendNeverSeesIt(CapturedOutput output) throws Exception {
		String id = newId();
		String token = token("alice");
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x?id=" + id, Tokens.bearer(token))) {
			assertThat(ws.status()).isEqualTo(101);
			EchoBackend.Record seen = echo.record(id);
			assertThat(seen.headers().contains("Authorization")).isFalse();
			assertThat(seen.headers().get("X-Auth-Subject")).isEqualTo("alice");
			assertThat(seen.headers().get("X-Auth-Scopes")).isEqualTo("chat.read chat.write");
			assertThat(seen.headers().toString()).doesNotContain(token);
			assertEchoes(ws);
		}
		assertThat(output.getAll()).doesNotContain(token).contains("principal=alice");
	}

	@Test
	void tokenInTheQueryIsRemovedFromTheUriTheBackendGetsAndOtherParametersStay(CapturedOutput output)
			throws Exception {
		String id = newId();
		String token = token("bob");
		try (RawWebSocket ws = RawWebSocket.connect(this.port,
				"/auth/hmac/x?id=" + id + "&access_token=" + token + "&room=a%20b")) {
			assertThat(ws.status()).isEqualTo(101);
			String uri = echo.record(id).uri();
			assertThat(uri).isEqualTo("/auth/hmac/x?id=" + id + "&room=a%20b");
			assertThat(echo.record(id).headers().get("X-Auth-Subject")).isEqualTo("bob");
			assertEchoes(ws);
		}
		assertThat(output.getAll()).doesNotContain(token).contains("principal=bob");
	}

	@Test
	void tokenInTheSubprotocolListIsRemovedAndTheBackendsChoiceReachesTheClient() throws Exception {
		String id = newId();
		String token = token("carol");
		WebSocket ws = HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.subprotocols("chat", "bearer." + token)
			.header("Origin", ORIGIN)
			.buildAsync(URI.create("ws://127.0.0.1:" + this.port + "/auth/hmac/chat?id=" + id),
					new WebSocket.Listener() {
					})
			.get(5, TimeUnit.SECONDS);
		assertThat(ws.getSubprotocol()).isEqualTo("chat");
		EchoBackend.Record seen = echo.record(id);
		assertThat(seen.headers().getAll("Sec-WebSocket-Protocol")).containsExactly("chat");
		assertThat(seen.headers().get("X-Auth-Subject")).isEqualTo("carol");
		ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
		assertThat(seen.closeStatus(Duration.ofSeconds(5)).code()).isEqualTo(1000);
	}

	@Test
	void aTokenAloneInTheSubprotocolListIsNeverEchoedBack() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x?id=" + id,
				Map.of("Sec-WebSocket-Protocol", "bearer." + token("dave")))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-protocol")).isNull();
			assertThat(echo.record(id).headers().contains("Sec-WebSocket-Protocol")).isFalse();
			assertEchoes(ws);
		}
	}

	@Test
	void tokenInACookieIsRemovedAndOtherCookiesStay() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x?id=" + id,
				Map.of("Cookie", "theme=dark; access_token=" + token("erin") + "; lang=en"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(echo.record(id).headers().get("Cookie")).isEqualTo("theme=dark; lang=en");
			assertThat(echo.record(id).headers().get("X-Auth-Subject")).isEqualTo("erin");
			assertEchoes(ws);
		}
	}

	@Test
	void noTokenIs401WithABearerChallenge() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x")) {
			assertThat(ws.status()).isEqualTo(401);
			assertThat(ws.header("www-authenticate")).isEqualTo("Bearer realm=\"wsgate\"");
			assertThat(ws.body()).contains("credentials required");
		}
	}

	@Test
	void badSignatureIs401InvalidToken() throws Exception {
		String forged = Tokens.hmac("another-secret-that-is-also-long-enough-for-hs256", "mallory", 300, c -> {
		});
		assertRefused("/auth/hmac/x", Tokens.bearer(forged), 401, "invalid signature");
	}

	@Test
	void expiredTokenIs401TokenExpired() throws Exception {
		String expired = Tokens.hmac(SECRET, "alice", -10, c -> {
		});
		RawWebSocket ws = assertRefused("/auth/hmac/x", Tokens.bearer(expired), 401, "token expired");
		assertThat(ws.header("www-authenticate")).isEqualTo(
				"Bearer realm=\"wsgate\", error=\"invalid_token\", error_description=\"token expired\"");
	}

	@Test
	void tokenWithoutExpiryIs401ByDefault() throws Exception {
		String forever = Tokens.hmac(SECRET, Tokens.claimsWithoutExpiry("alice"));
		RawWebSocket ws = assertRefused("/auth/hmac/x", Tokens.bearer(forever), 401, "token has no expiry (exp)");
		assertThat(ws.header("www-authenticate")).isEqualTo(
				"Bearer realm=\"wsgate\", error=\"invalid_token\", error_description=\"token has no expiry (exp)\"");
	}

	@Test
	void tokenWithoutExpiryPassesWhereRequireExpiryIsOff() throws Exception {
		String forever = Tokens.hmac(SECRET, Tokens.claimsWithoutExpiry("alice"));
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/lasting/x", Tokens.bearer(forever))) {
			assertEchoes(ws);
		}
	}

	@Test
	void malformedTokenWrongIssuerAndWrongAudienceAre401() throws Exception {
		assertRefused("/auth/hmac/x", Tokens.bearer("not.a.jwt"), 401, "malformed token");
		assertRefused("/auth/hmac/x",
				Tokens.bearer(Tokens.hmac(SECRET, "alice", 300, c -> c.issuer("https://evil.example.test"))), 401,
				"iss");
		assertRefused("/auth/hmac/x", Tokens.bearer(Tokens.hmac(SECRET, "alice", 300, c -> c.audience("other"))),
				401, "aud");
	}

	@Test
	void twoTokensInOneRequestAre400() throws Exception {
		assertRefused("/auth/hmac/x?access_token=a&access_token=b", Map.of(), 400, "more than one");
	}

	@Test
	void insufficientScopeOrWrongClaimIs403AndTheRightOnesPass() throws Exception {
		String readOnly = Tokens.hmac(SECRET, "alice", 300, c -> c.claim("scope", "chat.read").claim("tenant", "acme"));
		RawWebSocket refused = assertRefused("/auth/scoped/x", Tokens.bearer(readOnly), 403, "insufficient scope");
		assertThat(refused.header("www-authenticate")).contains("error=\"insufficient_scope\"")
			.contains("scope=\"chat.read chat.write\"");
		String otherTenant = Tokens.hmac(SECRET, "alice", 300,
				c -> c.claim("scp", List.of("chat.read", "chat.write")).claim("tenant", "globex"));
		assertRefused("/auth/scoped/x", Tokens.bearer(otherTenant), 403, "claim tenant does not match");
		String right = Tokens.hmac(SECRET, "alice", 300,
				c -> c.claim("scp", List.of("chat.read", "chat.write")).claim("tenant", "acme"));
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/scoped/x", Tokens.bearer(right))) {
			assertEchoes(ws);
		}
	}

	@Test
	void originMustBeExactlyAnAllowedOne() throws Exception {
		String token = token("alice");
		for (String origin : List.of("https://evil.example.test", "https://app.example.test.evil.test",
				"http://app.example.test", "https://app.example.test:8443", "null")) {
			Map<String, String> headers = new LinkedHashMap<>(Tokens.bearer(token));
			headers.put("Origin", origin);
			assertRefused("/auth/hmac/x", headers, 403, "origin not allowed");
		}
		for (String origin : List.of(ORIGIN, "HTTPS://App.Example.Test:443", "http://localhost:3000")) {
			Map<String, String> headers = new LinkedHashMap<>(Tokens.bearer(token));
			headers.put("Origin", origin);
			try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x", headers)) {
				assertEchoes(ws);
			}
		}
	}

	@Test
	void wrongOriginIsRefusedEvenWithoutCredentials() throws Exception {
		assertRefused("/auth/hmac/x", Map.of("Origin", "https://evil.example.test"), 403, "origin not allowed");
	}

	@Test
	void identityHeadersSentByTheClientAreReplaced() throws Exception {
		String id = newId();
		String token = Tokens.hmac(SECRET, "alice", 300,
				claims -> claims.claim("scope", "chat.read chat.write").claim("https://example.test/tenant", "acme"));
		Map<String, String> headers = new LinkedHashMap<>(Tokens.bearer(token));
		headers.put("X-Auth-Subject", "admin");
		headers.put("X-Tenant", "globex");
		headers.put("X-Auth-Scopes", "everything");
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x?id=" + id, headers)) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(echo.record(id).headers().getAll("X-Auth-Subject")).containsExactly("alice");
			assertThat(echo.record(id).headers().getAll("X-Auth-Scopes")).containsExactly("chat.read chat.write");
			assertThat(echo.record(id).headers().getAll("X-Tenant")).containsExactly("acme");
			assertEchoes(ws);
		}
	}

	@Test
	void theConnectionClosesWith1008WhenTheTokenExpires() throws Exception {
		String id = newId();
		String shortLived = Tokens.hmac(SECRET, "alice", 2, c -> {
		});
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/hmac/x?id=" + id, Tokens.bearer(shortLived))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("still valid");
			assertThat(ws.readFrame().text()).isEqualTo("still valid");
			assertThat(this.registry.connections()).extracting(ProxiedConnection::principal)
				.anySatisfy(principal -> assertThat(principal.getName()).isEqualTo("alice"));
			ws.setReadTimeout(Duration.ofSeconds(5));
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("token expired");
			ws.sendClose(1008, "");
			WebSocketCloseStatus backendGot = echo.record(id).closeStatus(Duration.ofSeconds(5));
			assertThat(backendGot.code()).isEqualTo(1008);
			assertThat(backendGot.reasonText()).isEqualTo("token expired");
		}
	}

	@Test
	void closeOnExpiryCanBeTurnedOff() throws Exception {
		// long enough to be valid at the upgrade on a busy machine (exp has whole seconds)
		java.time.Instant expiry = java.time.Instant.now().plusSeconds(3);
		String shortLived = Tokens.hmac(SECRET, "alice", 3, c -> {
		});
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/auth/lasting/x", Tokens.bearer(shortLived))) {
			assertThat(ws.status()).isEqualTo(101);
			org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
				.until(() -> java.time.Instant.now().isAfter(expiry.plusMillis(500)));
			assertEchoes(ws);
		}
	}

	@Test
	void refusalsAreLoggedOnceWithoutTheTokenAndCounted(CapturedOutput output) throws Exception {
		double before = refused("auth-hmac", "expired");
		String expired = Tokens.hmac(SECRET, "alice", -10, c -> {
		});
		assertRefused("/auth/hmac/x", Tokens.bearer(expired), 401, "token expired");
		assertThat(refused("auth-hmac", "expired")).isEqualTo(before + 1);
		assertThat(output.getAll()).doesNotContain(expired);
		assertThat(output.getAll().lines().filter(line -> line.contains("refused upgrade route=auth-hmac")
				&& line.contains("reason=expired"))).hasSize(1);
	}

	private double refused(String route, String reason) {
		var counter = this.meters.find(AuthMetrics.REFUSED).tag(MeterTags.ROUTE, route).tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private RawWebSocket assertRefused(String path, Map<String, String> headers, int status, String description)
			throws Exception {
		String id = newId();
		String separator = path.contains("?") ? "&" : "?";
		try (RawWebSocket ws = RawWebSocket.connect(this.port, path + separator + "id=" + id, headers)) {
			assertThat(ws.status()).as("status for %s", headers).isEqualTo(status);
			assertThat(ws.body()).contains(description);
			if (status == 401) {
				assertThat(ws.header("www-authenticate")).isNotNull();
			}
			return ws;
		}
	}

}
