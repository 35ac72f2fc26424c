package io.wsgate.proxy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code wsgate.server.max-connections-per-client}: one client address cannot take more than
 * its share of the gateway's connections, counted through trusted proxies only. The clients
 * are loopback addresses of their own (127.0.0.2, ...); 127.0.0.1 is the trusted proxy.
 */
@TestPropertySource(properties = { "wsgate.server.max-connections-per-client=2",
		"spring.cloud.gateway.server.webflux.trusted-proxies=127\\.0\\.0\\.1" })
class ClientLimitTest extends GatewayTest {

	@Test
	void aClientOverItsShareIs429WithRetryAfterWhileAnotherClientStillConnects() throws Exception {
		try (RawWebSocket first = RawWebSocket.connectFrom("127.0.0.2", this.port, "/echo/a", Map.of());
				RawWebSocket second = RawWebSocket.connectFrom("127.0.0.2", this.port, "/echo/b", Map.of())) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			try (RawWebSocket third = RawWebSocket.connectFrom("127.0.0.2", this.port, "/echo/c", Map.of())) {
				assertThat(third.status()).isEqualTo(429);
				assertThat(third.header("retry-after")).isEqualTo("10");
				assertThat(third.body()).contains("too many connections from this client");
			}
			try (RawWebSocket other = RawWebSocket.connectFrom("127.0.0.3", this.port, "/echo/d", Map.of())) {
				assertThat(other.status()).isEqualTo(101);
				closeCleanly(other);
			}
			closeCleanly(first);
			closeCleanly(second);
		}
	}

	@Test
	void slotsAreFreedOnEveryPathSoTheClientCanConnectAgain() throws Exception {
		InetAddress client = InetAddress.getByName("127.0.0.4");
		for (int round = 0; round < 3; round++) {
			try (RawWebSocket first = RawWebSocket.connectFrom("127.0.0.4", this.port, "/echo/r", Map.of());
					RawWebSocket second = RawWebSocket.connectFrom("127.0.0.4", this.port, "/echo/r", Map.of())) {
				assertThat(first.status()).as("round %d", round).isEqualTo(101);
				assertThat(second.status()).as("round %d", round).isEqualTo(101);
				assertThat(this.registry.sizeOf(client)).isEqualTo(2);
				closeCleanly(first);
				second.reset(); // and one that just disappears
			}
			await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.sizeOf(client) == 0);
		}
		for (int i = 0; i < 3; i++) {
			try (RawWebSocket down = RawWebSocket.connectFrom("127.0.0.4", this.port, "/down", Map.of())) {
				assertThat(down.status()).isEqualTo(502); // a slot was taken, then the backend failed
			}
		}
		// the slot is freed once the 502 is written: the client may read it a moment before
		await().atMost(Duration.ofSeconds(5)).until(() -> this.registry.sizeOf(client) == 0);
		assertThat(this.registry.clients()).as("no entry is kept for a client without connections").isZero();
		try (RawWebSocket first = RawWebSocket.connectFrom("127.0.0.4", this.port, "/echo/again", Map.of());
				RawWebSocket second = RawWebSocket.connectFrom("127.0.0.4", this.port, "/echo/again", Map.of())) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			closeCleanly(first);
			closeCleanly(second);
		}
	}

	@Test
	void forwardedForFromAPeerThatIsNoTrustedProxyIsIgnored() throws Exception {
		try (RawWebSocket first = fromUntrusted("203.0.113.1"); RawWebSocket second = fromUntrusted("203.0.113.2")) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			try (RawWebSocket third = fromUntrusted("203.0.113.3")) {
				assertThat(third.status()).as("counted as 127.0.0.5, whatever it claims").isEqualTo(429);
			}
			closeCleanly(first);
			closeCleanly(second);
		}
	}

	@Test
	void behindATrustedProxyTheRightmostUntrustedHopIsTheClient() throws Exception {
		// the leftmost hops are whatever the client wrote; the proxy appended the address it saw
		try (RawWebSocket first = viaProxy("X-Forwarded-For", "198.51.100.1, 203.0.113.50");
				RawWebSocket second = viaProxy("Forwarded", "for=198.51.100.2, for=\"203.0.113.50:4711\"")) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			assertThat(this.registry.sizeOf(InetAddress.getByName("203.0.113.50"))).isEqualTo(2);
			try (RawWebSocket third = viaProxy("X-Forwarded-For", "198.51.100.3, 203.0.113.50")) {
				assertThat(third.status()).isEqualTo(429);
			}
			try (RawWebSocket neighbour = viaProxy("X-Forwarded-For", "203.0.113.50, 203.0.113.51")) {
				assertThat(neighbour.status()).isEqualTo(101);
				closeCleanly(neighbour);
			}
			closeCleanly(first);
			closeCleanly(second);
		}
	}

	private RawWebSocket fromUntrusted(String claimed) throws Exception {
		return RawWebSocket.connectFrom("127.0.0.5", this.port, "/echo/spoof", Map.of("X-Forwarded-For", claimed));
	}

	private RawWebSocket viaProxy(String header, String value) throws Exception {
		return RawWebSocket.connectFrom("127.0.0.1", this.port, "/echo/proxied", Map.of(header, value));
	}

	private static void closeCleanly(RawWebSocket ws) throws Exception {
		ws.sendClose(1000, "");
		ws.readUntilClose();
		assertThat(ws.closedByPeerWithin(Duration.ofSeconds(2))).isTrue();
	}

}
