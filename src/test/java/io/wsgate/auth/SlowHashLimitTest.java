package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bcrypt checks are bounded: with one slow-hash thread and one waiting check, a crowd of
 * wrong passwords and unknown users at once gets 503 "authentication busy" (with
 * {@code Retry-After}) for what does not fit, instead of queueing CPU work without bound; and
 * the right password still gets through once the crowd is gone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.password=test-password",
				"wsgate.auth.slow-hash.threads=1",
				"wsgate.auth.slow-hash.queue=1" })
@ExtendWith(OutputCaptureExtension.class)
class SlowHashLimitTest {

	private static final EchoBackend echo = new EchoBackend();

	private static final String PASSWORD = "correct horse battery staple";

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void basicRoute(DynamicPropertyRegistry registry) {
		// a cost that makes each check take a while, so that the crowd overlaps
		String hash = "{bcrypt}" + new BCryptPasswordEncoder(12).encode(PASSWORD);
		Routes.route(registry, 0, "slow-basic", "ws://127.0.0.1:" + echo.port(), "/slow/**");
		Routes.filter(registry, 0, 0, "WebSocketAuth", Map.of("basic.users[0].username", "alice",
				"basic.users[0].password", hash, "allowed-origins", "https://app.example.test"));
	}

	@Test
	void aCrowdOfWrongPasswordsGets503ForWhatThePoolCannotHoldAndTheRightPasswordStillPasses(CapturedOutput output)
			throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(12);
		List<Future<String>> answers = new ArrayList<>();
		try {
			for (int i = 0; i < 12; i++) {
				String user = (i % 2 == 0) ? "alice" : "nobody-" + i;
				answers.add(clients.submit(() -> {
					try (RawWebSocket ws = RawWebSocket.connect(this.port, "/slow/x", basic(user, "wrong"))) {
						return ws.status() + " " + ws.header("retry-after") + " " + ws.body().strip();
					}
				}));
			}
			List<String> statuses = new ArrayList<>();
			for (Future<String> answer : answers) {
				statuses.add(answer.get());
			}
			assertThat(statuses).allSatisfy(status -> assertThat(status).matches("401 .*|503 1 .*authentication busy.*"));
			assertThat(statuses).anySatisfy(status -> assertThat(status).startsWith("503"));
			assertThat(statuses).anySatisfy(status -> assertThat(status).startsWith("401"));
		}
		finally {
			clients.shutdownNow();
		}
		assertThat(output.getAll()).contains("refused upgrade route=slow-basic client=127.0.0.1 status=503 reason=busy");
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/slow/x", basic("alice", PASSWORD))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	private static Map<String, String> basic(String user, String password) {
		return Map.of("Authorization", "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
	}

}
