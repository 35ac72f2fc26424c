package io.wsgate.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.JdkClient;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two gateway processes, {@code alpha} and {@code beta}, on one real {@code redis-server} with
 * {@code wsgate.cluster.enabled}: the connections API of either reaches the connections of
 * both, a fan-out reaches each connection once, a killed replica drops out after the expiry,
 * and without Redis a cluster request gets 503 at once while local connections still work.
 * The tests run in order: the last two kill replica alpha, then Redis.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {

	private static final int CLIENTS = 1000;

	private static final Duration EXPIRY = Duration.ofSeconds(3);

	private static final EchoBackend echo = new EchoBackend();

	private static RedisServer redis;

	private static GatewayProcess alpha;

	private static GatewayProcess beta;

	private static Management onAlpha;

	private static Management onBeta;

	@BeforeAll
	static void start() throws Exception {
		redis = RedisServer.start();
		String prefix = "wsgate-test:" + UUID.randomUUID();
		alpha = GatewayProcess.start(args("alpha", prefix));
		beta = GatewayProcess.start(args("beta", prefix));
		onAlpha = Management.as(alpha.port(), "ops", "ops-secret");
		onBeta = Management.as(beta.port(), "ops", "ops-secret");
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			JsonNode list = onBeta.getJson("/actuator/wssessions");
			return list.get("unanswered").isEmpty() && onAlpha.getJson("/actuator/wssessions").get("unanswered")
				.isEmpty();
		});
	}

	private static String[] args(String replica, String prefix) {
		String route = "--spring.cloud.gateway.server.webflux.routes[0].";
		return new String[] { "--wsgate.cluster.enabled=true", "--wsgate.cluster.replica-id=" + replica,
				"--wsgate.cluster.key-prefix=" + prefix, "--wsgate.cluster.heartbeat-interval=500ms",
				"--wsgate.cluster.replica-expiry=" + EXPIRY.toMillis() + "ms", "--wsgate.cluster.request-timeout=1s",
				"--spring.data.redis.host=127.0.0.1", "--spring.data.redis.port=" + redis.port(),
				"--spring.security.user.name=ops", "--spring.security.user.password=ops-secret",
				"--wsgate.routes.store=memory", "--wsgate.server.max-connections-per-client=0",
				"--wsgate.websocket.drain-timeout=1s", route + "id=chat", route + "uri=ws://127.0.0.1:" + echo.port(),
				route + "predicates[0]=Path=/chat/**", "--logging.level.io.wsgate.connections=warn" };
	}

	@AfterAll
	static void stop() throws Exception {
		for (AutoCloseable closeable : new AutoCloseable[] { alpha, beta, redis, echo }) {
			if (closeable != null) {
				closeable.close();
			}
		}
	}

	@Test
	@Order(1)
	void aConnectionOnOneReplicaIsListedPushedToAndClosedThroughTheOther() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(alpha.port(), "/chat/one")) {
			assertThat(ws.status()).isEqualTo(101);
			JsonNode listed = onBeta.getJson("/actuator/wssessions?route=chat");
			assertThat(listed.get("total").asInt()).isEqualTo(1);
			JsonNode entry = listed.get("sessions").get(0);
			assertThat(entry.get("replica").asString()).isEqualTo("alpha");
			String id = entry.get("id").asString();
			assertThat(onBeta.getJson("/actuator/wssessions/" + id).get("replica").asString()).isEqualTo("alpha");

			byte[] binary = { 0, (byte) 0xFF, 0x7F, (byte) 0x80 };
			HttpResponse<String> sent = onBeta.postBytes(messages(id), "application/octet-stream", binary);
			assertThat(sent.statusCode()).as(sent.body()).isEqualTo(202);
			assertThat(sent.body()).contains("\"replica\":\"alpha\"");
			Frame frame = ws.readFrame();
			assertThat(frame.opcode()).isEqualTo(Frame.BINARY);
			assertThat(frame.payload()).isEqualTo(binary);
			assertThat(onBeta.postBytes(messages("no-such-id"), "text/plain", "x".getBytes()).statusCode())
				.isEqualTo(404);

			assertThat(onBeta.delete("/actuator/wssessions/" + id + "?code=4000&reason=moved").statusCode())
				.isEqualTo(200);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4000);
			assertThat(close.closeReason()).isEqualTo("moved");
			ws.sendClose(4000, "");
		}
	}

	@Test
	@Order(2)
	void aFanOutReachesEachOfAThousandConnectionsOnBothReplicasOnce() throws Exception {
		ExecutorService threads = Executors.newFixedThreadPool(4);
		HttpClient http = HttpClient.newBuilder().executor(threads).build();
		List<JdkClient> clients = new ArrayList<>();
		try {
			List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
			for (int i = 0; i < CLIENTS; i++) {
				JdkClient client = new JdkClient();
				clients.add(client);
				int port = (i % 2 == 0) ? alpha.port() : beta.port();
				opening.add(http.newWebSocketBuilder()
					.connectTimeout(Duration.ofSeconds(20))
					.buildAsync(URI.create("ws://127.0.0.1:" + port + "/chat/fan"), client));
			}
			CompletableFuture.allOf(opening.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
			assertThat(onAlpha.getJson("/actuator/wssessions?limit=1").get("total").asInt()).isEqualTo(CLIENTS);

			JsonNode first = fanOut(onAlpha, "first");
			assertThat(first.get("matched").asInt()).isEqualTo(CLIENTS);
			assertThat(first.get("reached").asInt()).isEqualTo(CLIENTS);
			assertThat(first.get("replicas").get("alpha").get("reached").asInt()).isEqualTo(CLIENTS / 2);
			assertThat(first.get("replicas").get("beta").get("reached").asInt()).isEqualTo(CLIENTS / 2);
			assertThat(first.get("unanswered").isEmpty()).isTrue();
			// a marker after it: a second copy of the first on any connection would have come before it
			assertThat(fanOut(onBeta, "last").get("reached").asInt()).isEqualTo(CLIENTS);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> clients.stream().allMatch(client -> client.count("last") == 1));
			assertThat(clients).allSatisfy(client -> assertThat(client.received).isEqualTo(Map.of("first", 1,
					"last", 1)));
		}
		finally {
			for (JdkClient client : clients) {
				if (client.socket != null) {
					client.socket.sendClose(1000, "");
				}
			}
			await().atMost(Duration.ofSeconds(20))
				.until(() -> onAlpha.getJson("/actuator/wssessions?limit=1").get("total").asInt() == 0);
			threads.shutdownNow();
		}
	}

	@Test
	@Order(3)
	void aKilledReplicasConnectionsAreNoLongerListedAfterTheExpiry() throws Exception {
		RawWebSocket ws = RawWebSocket.connect(alpha.port(), "/chat/doomed");
		try {
			assertThat(onBeta.getJson("/actuator/wssessions?route=chat").get("total").asInt()).isEqualTo(1);
			alpha.kill();
			assertThat(alpha.waitFor(Duration.ofSeconds(10))).isTrue();
			// until the expiry beta reports alpha as not answering; then alpha is gone from its view
			await().atMost(EXPIRY.plusSeconds(5)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
				JsonNode listed = onBeta.getJson("/actuator/wssessions");
				assertThat(listed.get("total").asInt()).isZero();
				assertThat(listed.get("unanswered").isEmpty()).isTrue();
			});
		}
		finally {
			ws.close();
		}
	}

	@Test
	@Order(4)
	void withoutRedisClusterRequestsGet503AndLocalConnectionsStillWork() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(beta.port(), "/chat/local")) {
			String id = onBeta.getJson("/actuator/wssessions?route=chat").get("sessions").get(0).get("id").asString();
			redis.kill();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				HttpResponse<String> listing = onBeta.get("/actuator/wssessions");
				assertThat(listing.statusCode()).isEqualTo(503);
				assertThat(listing.body()).contains("cluster unavailable");
				assertThat(listing.headers().firstValue("Retry-After")).isPresent();
			});
			HttpResponse<String> fanOut = onBeta.postBytes("/actuator/wssessions/messages?route=chat", "text/plain",
					"x".getBytes());
			assertThat(fanOut.statusCode()).isEqualTo(503);
			assertThat(fanOut.headers().firstValue("Retry-After")).isPresent();
			assertThat(onBeta.postBytes(messages("elsewhere"), "text/plain", "x".getBytes()).statusCode())
				.isEqualTo(503);

			assertThat(onBeta.postBytes(messages(id), "text/plain", "still here".getBytes()).statusCode())
				.as("a connection of this replica needs no Redis")
				.isEqualTo(202);
			assertThat(ws.readFrame().text()).isEqualTo("still here");
			ws.sendText("echo");
			assertThat(ws.readFrame().text()).isEqualTo("echo");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	private static JsonNode fanOut(Management management, String text) throws Exception {
		HttpResponse<String> answer = management.postBytes("/actuator/wssessions/messages?route=chat",
				"text/plain", text.getBytes(StandardCharsets.UTF_8));
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		return Management.json.readTree(answer.body());
	}

	private static String messages(String id) {
		return "/actuator/wssessions/" + id + "/messages";
	}

}
