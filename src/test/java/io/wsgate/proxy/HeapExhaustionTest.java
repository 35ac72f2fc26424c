package io.wsgate.proxy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The attack of issue 15: thousands of connections to routes that hold whole messages, each
 * sending nothing but a 14-byte frame header that announces a large final frame. A gateway that
 * sized its buffers from the declared length ran out of heap after a few hundred of them
 * (a few with MaxMessageSize=-1) and, as the image runs it ({@code ExitOnOutOfMemoryError}),
 * ended. Here a gateway in its own JVM with a 256 MB heap takes 5,000 such connections, holds
 * no message byte for them, and still relays ordinary traffic on another route.
 */
class HeapExhaustionTest {

	private static final int CONNECTIONS = 5_000;

	private static final int UNLIMITED_ROUTE_CONNECTIONS = 1_000;

	private static final String USER = "watcher";

	private static final String PASSWORD = "watcher-password";

	private static final EchoBackend echo = new EchoBackend();

	private GatewayProcess gateway;

	private final List<RawWebSocket> attackers = Collections.synchronizedList(new ArrayList<>());

	@AfterEach
	void cleanUp() throws IOException {
		for (RawWebSocket attacker : this.attackers) {
			attacker.close();
		}
		if (this.gateway != null) {
			this.gateway.kill();
		}
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void fiveThousandHeadersAnnouncingLargeFramesNeitherExhaustTheHeapNorStopOtherTraffic() throws Exception {
		String hash = "{bcrypt}" + new BCryptPasswordEncoder(4).encode(PASSWORD);
		String echoUri = "ws://127.0.0.1:" + echo.port();
		String routes = "--spring.cloud.gateway.server.webflux.routes";
		this.gateway = GatewayProcess.startWithJvmOptions(List.of("-XX:+ExitOnOutOfMemoryError"),
				// the budget and the growth from arrived bytes must hold on their own: no deadline help
				"--wsgate.websocket.message-timeout=1h",
				// every attacker is 127.0.0.1: the per-client cap (ClientLimitTest) would stop them before the heap could
				"--wsgate.server.max-connections-per-client=0", "--logging.level.io.wsgate.connections=WARN",
				"--wsgate.admin.users." + USER + ".password=" + hash, "--wsgate.admin.users." + USER + ".role=viewer",
				routes + "[0].id=inspect", routes + "[0].uri=" + echoUri, routes + "[0].predicates[0]=Path=/inspect/**",
				routes + "[0].filters[0].name=FrameInspection", routes + "[0].filters[0].args.inbound[0].type=max-size",
				routes + "[0].filters[0].args.inbound[0].size=1MB",
				routes + "[1].id=inspect-unlimited", routes + "[1].uri=" + echoUri,
				routes + "[1].predicates[0]=Path=/inspect-unlimited/**", routes + "[1].filters[0]=MaxMessageSize=-1",
				routes + "[1].filters[1].name=FrameInspection", routes + "[1].filters[1].args.inbound[0].type=max-size",
				routes + "[1].filters[1].args.inbound[0].size=1MB",
				routes + "[2].id=echo", routes + "[2].uri=" + echoUri, routes + "[2].predicates[0]=Path=/echo/**");
		int port = this.gateway.port();
		Management management = Management.as(port, USER, PASSWORD);
		long budget = gauge(management, "wsgate.messages.buffered.budget");
		assertThat(budget).as("a quarter of the heap").isBetween(32L << 20, 128L << 20);

		ExecutorService pool = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> attacks = new ArrayList<>();
			for (int i = 0; i < CONNECTIONS; i++) {
				boolean unlimited = i < UNLIMITED_ROUTE_CONNECTIONS;
				// 1 MB (the route's limit), or 8 MB (the most any message is held) where the route has none
				long declared = unlimited ? 8L << 20 : 1L << 20;
				String path = unlimited ? "/inspect-unlimited/a" : "/inspect/a";
				attacks.add(pool.submit(() -> {
					attack(port, path, declared);
					return null;
				}));
			}
			for (Future<?> attack : attacks) {
				try {
					attack.get(60, TimeUnit.SECONDS);
				}
				catch (ExecutionException ex) {
					String output = this.gateway.output();
					throw new AssertionError("an attacker's connection failed; the gateway is "
							+ (this.gateway.isAlive() ? "alive" : "gone") + (output.contains("OutOfMemoryError")
									? ", out of heap" : "") + "\n" + output.substring(Math.max(0, output.length() - 3000)),
							ex);
				}
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(this.gateway.isAlive()).as("the gateway is alive").isTrue();
		assertThat(activeConnections(management)).as("every attacker is still connected").isEqualTo(CONNECTIONS);

		try (RawWebSocket client = RawWebSocket.connect(port, "/echo/ordinary")) {
			assertThat(client.status()).isEqualTo(101);
			client.sendText("still here");
			Frame echoed = client.readFrame();
			assertThat(new String(echoed.payload())).isEqualTo("still here");
			client.sendClose(1000, "");
			assertThat(client.readUntilClose().closeCode()).isEqualTo(1000);
		}
		assertThat(gauge(management, "wsgate.messages.buffered")).as("message bytes held for the attackers")
			.isZero();
		long heapUsed = gauge(management, "jvm.memory.used?tag=area:heap");
		assertThat(heapUsed).as("heap used").isLessThan(256L << 20);
		assertThat(this.gateway.isAlive()).isTrue();
		assertThat(this.gateway.output()).doesNotContain("OutOfMemoryError");
	}

	/** Opens a connection and sends the header of a final binary frame of {@code declared} bytes, and nothing more. */
	private void attack(int port, String path, long declared) throws IOException {
		RawWebSocket attacker = RawWebSocket.connect(port, path);
		this.attackers.add(attacker);
		assertThat(attacker.status()).isEqualTo(101);
		byte[] header = new byte[14];
		header[0] = (byte) 0x82; // FIN, binary
		header[1] = (byte) (0x80 | 127); // masked, 8-byte length
		for (int i = 0; i < 8; i++) {
			header[2 + i] = (byte) (declared >>> (56 - 8 * i));
		}
		attacker.sendRaw(header); // the mask key (zero) ends the header; no payload follows
	}

	private static long activeConnections(Management management) throws Exception {
		return gauge(management, "wsgate.connections.active");
	}

	private static long gauge(Management management, String meter) throws Exception {
		JsonNode body = management.getJson("/actuator/metrics/" + meter);
		return (long) body.path("measurements").get(0).path("value").asDouble();
	}

}
