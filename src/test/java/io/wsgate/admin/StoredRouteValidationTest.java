package io.wsgate.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Route definitions read from a store are validated as those posted to the API: a file with
 * an entry naming an unknown filter and a {@code forward:} entry does not stop startup, the
 * good route is served and the bad ones are skipped and counted; a bad entry written straight
 * into Redis leaves every replica serving its good routes.
 */
class StoredRouteValidationTest {

	private static final EchoBackend echo = new EchoBackend();

	private static RedisServer redis;

	@TempDir
	Path directory;

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
	void badEntriesOfTheStoreFileAreSkippedAndTheGatewayStarts() throws Exception {
		Path store = this.directory.resolve("routes.json");
		Files.writeString(store, "{\"version\":1,\"routes\":[" + stored("good", route("/good/**")) + ","
				+ stored("unknown-filter", "{\"uri\":\"ws://127.0.0.1:" + echo.port()
						+ "\",\"predicates\":[{\"name\":\"Path\",\"args\":{\"_genkey_0\":\"/unknown/**\"}}],"
						+ "\"filters\":[{\"name\":\"Nope\",\"args\":{}}]}")
				+ "," + stored("forwarded", FORWARD) + "]}");
		try (GatewayProcess gateway = GatewayProcess.start("--wsgate.routes.store=file",
				"--wsgate.routes.file.path=" + store, "--spring.security.user.name=ops",
				"--spring.security.user.password=ops-secret", "--wsgate.websocket.drain-timeout=1s")) {
			int port = gateway.port();
			await().atMost(Duration.ofSeconds(10)).until(() -> RawWebSocket.upgradeStatus(port, "/good/x") == 101);
			assertThat(RawWebSocket.upgradeStatus(port, "/unknown/x")).isEqualTo(404);
			assertThat(Management.anonymous(port).get("/leak").statusCode()).isEqualTo(404);
			assertThat(invalidRoutes(port)).isEqualTo(2);
			assertThat(gateway.output()).contains("route unknown-filter is skipped")
				.contains("route forwarded is skipped");
		}
	}

	@Test
	void aBadEntryWrittenIntoRedisLeavesTheGoodRoutesServed() throws Exception {
		String key = "wsgate-test:" + UUID.randomUUID();
		try (GatewayProcess gateway = GatewayProcess.start("--wsgate.routes.store=redis",
				"--wsgate.routes.redis.key=" + key, "--wsgate.routes.redis.resync-interval=300ms",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				"--spring.security.user.name=ops", "--spring.security.user.password=ops-secret",
				"--wsgate.websocket.drain-timeout=1s")) {
			int port = gateway.port();
			assertThat(ops(port).post("/actuator/gateway/routes/good", route("/good/**")).statusCode()).isEqualTo(201);
			await().atMost(Duration.ofSeconds(5)).until(() -> RawWebSocket.upgradeStatus(port, "/good/x") == 101);

			redis.command("HSET", key, "forwarded", FORWARD);
			redis.command("HSET", key, "unknown-filter", route("/unknown/**").replace("}", ",\"filters\":[\"Nope=1\"]}"));
			redis.command("HSET", key, "later", route("/later/**"));
			await().atMost(Duration.ofSeconds(20)).until(() -> RawWebSocket.upgradeStatus(port, "/later/x") == 101);
			assertThat(RawWebSocket.upgradeStatus(port, "/good/x")).isEqualTo(101);
			assertThat(RawWebSocket.upgradeStatus(port, "/unknown/x")).isEqualTo(404);
			assertThat(Management.anonymous(port).get("/leak").statusCode()).isEqualTo(404);
			assertThat(invalidRoutes(port)).isEqualTo(2);
		}
	}

	private static final String FORWARD = "{\"uri\":\"forward:/actuator/gateway/routedefinitions\","
			+ "\"predicates\":[{\"name\":\"Path\",\"args\":{\"_genkey_0\":\"/leak\"}}]}";

	private static String stored(String id, String definition) {
		return definition.replaceFirst("\\{", "{\"id\":\"" + id + "\",");
	}

	private static String route(String path) {
		return "{\"uri\":\"ws://127.0.0.1:" + echo.port() + "\",\"predicates\":[\"Path=" + path + "\"]}";
	}

	private static Management ops(int port) {
		return Management.as(port, "ops", "ops-secret");
	}

	private static int invalidRoutes(int port) throws Exception {
		return ops(port).getJson("/actuator/metrics/wsgate.routes.invalid").get("measurements").get(0).get("value")
			.asInt();
	}

}
