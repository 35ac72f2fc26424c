package io.wsgate.admin;

import java.io.IOException;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway processes sharing the redis route store of a real {@code redis-server}: a
 * replica that starts later loads the routes already there, and a route created, changed or
 * deleted through one replica is served (or no more) by the other within 2 seconds, and a
 * change whose announcement was missed is found by the periodic resync.
 */
class RedisReplicasTest {

	private static final Duration PROPAGATION = Duration.ofSeconds(2);

	private static final EchoBackend echo = new EchoBackend();

	private static RedisServer redis;

	@BeforeAll
	static void startRedis() throws Exception {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stop() throws Exception {
		echo.close();
		if (redis != null) {
			redis.close();
		}
	}

	@Test
	void everyReplicaServesTheSameRuntimeRoutes() throws Exception {
		String key = "wsgate-test:" + UUID.randomUUID();
		String[] args = { "--wsgate.routes.store=redis", "--wsgate.routes.redis.key=" + key,
				"--wsgate.routes.redis.resync-interval=500ms",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				"--spring.security.user.name=ops", "--spring.security.user.password=ops-secret",
				"--wsgate.websocket.drain-timeout=1s" };
		try (GatewayProcess first = GatewayProcess.start(args)) {
			Management one = Management.as(first.port(), "ops", "ops-secret");
			assertThat(one.post("/actuator/gateway/routes/early", route("/early/**")).statusCode()).isEqualTo(201);

			try (GatewayProcess second = GatewayProcess.start(args)) {
				int secondPort = second.port();
				Management two = Management.as(secondPort, "ops", "ops-secret");
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(secondPort, "/early/x") == 101))
					.as("a replica started later loads the routes already stored")
					.isTrue();

				assertThat(one.post("/actuator/gateway/routes/shared", route("/shared-a/**")).statusCode())
					.isEqualTo(201);
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(secondPort, "/shared-a/x") == 101))
					.as("created on the first replica, served by the second")
					.isTrue();
				assertThat(echoes(secondPort, "/shared-a/x")).isTrue();

				assertThat(two.post("/actuator/gateway/routes/shared", route("/shared-b/**")).statusCode())
					.isEqualTo(201);
				int firstPort = first.port();
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(firstPort, "/shared-b/x") == 101))
					.as("changed on the second replica, served by the first")
					.isTrue();
				assertThat(RawWebSocket.upgradeStatus(firstPort, "/shared-a/x")).isEqualTo(404);

				assertThat(one.delete("/actuator/gateway/routes/shared").statusCode()).isEqualTo(200);
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(secondPort, "/shared-b/x") == 404))
					.as("deleted on the first replica, gone from the second")
					.isTrue();
				assertThat(two.get("/actuator/gateway/routes/shared").statusCode()).isEqualTo(404);
				assertThat(two.get("/actuator/gateway/routes/early").statusCode()).isEqualTo(200);

				// a change no replica announced (as if the announcement was lost): the resync finds it
				redis.command("HSET", key, "silent", route("/silent/**"));
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(secondPort, "/silent/x") == 101)).isTrue();
				assertThat(Management.eventually(PROPAGATION, () -> RawWebSocket.upgradeStatus(firstPort, "/silent/x") == 101)).isTrue();
			}
		}
	}

	private static String route(String path) {
		return "{\"uri\":\"ws://127.0.0.1:" + echo.port() + "\",\"predicates\":[\"Path=" + path + "\"]}";
	}

	private static boolean echoes(int port, String path) throws IOException {
		try (RawWebSocket ws = RawWebSocket.connect(port, path)) {
			ws.sendText("across replicas");
			boolean echoed = "across replicas".equals(ws.readFrame().text());
			ws.sendClose(1000, "");
			ws.readUntilClose();
			return echoed;
		}
	}

}
