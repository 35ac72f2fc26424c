package io.wsgate.auth;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import io.wsgate.support.ChromeSession;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a browser, which cannot set headers on a WebSocket, does with {@code WebSocketAuth}:
 * its token rides in the subprotocol list beside a real subprotocol, in a real headless Chromium.
 */
class AuthChromeTest extends AuthGatewayTest {

	private static final JsonMapper json = JsonMapper.builder().build();

	/** Opens {@code url} with {@code protocols}; resolves to what happened: protocol and echo, or the close. */
	private static final String SCRIPT = """
			(async () => new Promise(resolve => {
			  const ws = new WebSocket(%s, %s);
			  const timer = setTimeout(() => resolve({ error: 'nothing within 5 s' }), 5000);
			  ws.onopen = () => ws.send('from the browser');
			  ws.onmessage = e => { clearTimeout(timer); ws.close(1000); resolve({ protocol: ws.protocol, echo: e.data }); };
			  ws.onclose = e => { clearTimeout(timer); resolve({ closed: e.code }); };
			}))()
			""";

	@RegisterExtension
	static final ChromeSession chrome = new ChromeSession();

	@Test
	void aBrowserAuthenticatesWithItsTokenInTheSubprotocolListAndGetsTheRealSubprotocol() {
		String token = Tokens.hmac(SECRET, "alice", 300, claims -> {
		});
		JsonNode result = open("/auth/lasting/chat", "chat", "bearer." + token);
		assertThat(result.path("protocol").asString()).isEqualTo("chat");
		assertThat(result.path("echo").asString()).isEqualTo("from the browser");
	}

	@Test
	void aBrowserWithoutATokenNeverOpens() {
		JsonNode result = open("/auth/lasting/chat", "chat");
		assertThat(result.path("closed").asInt()).isEqualTo(1006);
		assertThat(result.has("echo")).isFalse();
	}

	@Test
	void aPageFromAnOriginNotAllowedNeverOpensEvenWithAValidToken() {
		String token = Tokens.hmac(SECRET, "alice", 300, claims -> {
		});
		JsonNode result = open("/auth/hmac/chat", "chat", "bearer." + token);
		assertThat(result.path("closed").asInt()).isEqualTo(1006);
	}

	private JsonNode open(String path, String... protocols) {
		String url = "ws://127.0.0.1:" + this.port + path;
		String script = SCRIPT.formatted(json.writeValueAsString(url), json.writeValueAsString(protocols));
		return chrome.page().evaluate(script, JsonNode.class, Duration.ofSeconds(20));
	}

}
