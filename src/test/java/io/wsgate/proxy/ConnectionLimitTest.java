package io.wsgate.proxy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** wsgate.websocket.max-connections bounds the connections a gateway relays. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "wsgate.websocket.max-connections=2",
				"spring.security.user.password=limit-test-password" })
class ConnectionLimitTest {

	static final EchoBackend echo = new EchoBackend();

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry registry;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		registry.add("spring.cloud.gateway.server.webflux.routes[0].id", () -> "echo");
		registry.add("spring.cloud.gateway.server.webflux.routes[0].uri", () -> "ws://127.0.0.1:" + echo.port());
		registry.add("spring.cloud.gateway.server.webflux.routes[0].predicates[0]", () -> "Path=/**");
	}

	@Test
	void upgradeOverTheLimitIs503AndASlotFreesWhenAConnectionEnds() throws Exception {
		try (RawWebSocket first = RawWebSocket.connect(this.port, "/a");
				RawWebSocket second = RawWebSocket.connect(this.port, "/b")) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			try (RawWebSocket third = RawWebSocket.connect(this.port, "/c")) {
				assertThat(third.status()).isEqualTo(503);
				assertThat(third.header("retry-after")).isEqualTo("1");
			}
			first.sendClose(1000, "");
			first.readUntilClose();
			assertThat(first.closedByPeerWithin(Duration.ofSeconds(1))).isTrue();
			// the slot is freed when both TCP connections are gone
			await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.size() == 1);
			try (RawWebSocket fourth = RawWebSocket.connect(this.port, "/d")) {
				assertThat(fourth.status()).isEqualTo(101);
				fourth.sendClose(1000, "");
				fourth.readUntilClose();
			}
			second.sendClose(1000, "");
			second.readUntilClose();
		}
	}

	@Test
	void refusedHandshakesDoNotKeepTheirSlot() throws Exception {
		for (int i = 0; i < 5; i++) {
			try (RawWebSocket bad = RawWebSocket.connect(this.port, "/x", java.util.Map.of("Sec-WebSocket-Key", "bad"))) {
				assertThat(bad.status()).isEqualTo(400);
			}
		}
		try (RawWebSocket ok = RawWebSocket.connect(this.port, "/ok")) {
			assertThat(ok.status()).isEqualTo(101);
			ok.sendClose(1000, "");
			ok.readUntilClose();
		}
	}

}
