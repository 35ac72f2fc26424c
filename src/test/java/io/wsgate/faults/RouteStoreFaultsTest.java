package io.wsgate.faults;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.cloud.gateway.route.RouteDefinition;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.RedisServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The route stores under faults, with real processes: a gateway SIGKILLed while it writes
 * routes, and a {@code redis-server} SIGKILLed under two replicas and started again.
 *
 * <p>File store: four clients create routes (each with 32 KB of metadata, so that the document
 * grows to megabytes) as fast as the gateway acknowledges them, and the gateway is SIGKILLed at
 * three different moments, one round each, on the same file. After every kill the file is a
 * whole route document ({@code {"version":1,"routes":[...]}}, each entry a route definition, read
 * with Jackson as the store reads it) that holds every route acknowledged with 201 in any round
 * and nothing that was never sent; a leftover {@code routes.json.tmp} (planted half-written when
 * the kill left none) does not disturb the next start. The gateway started again on the file
 * lists every acknowledged route of every round in {@code /actuator/gateway/routedefinitions} and
 * relays a WebSocket (101, echo) on the first and the last. Routes in flight at the kill (sent,
 * not answered) may or may not be there.
 *
 * <p>Redis store, with the gateway's default Redis client settings: two replicas serve routes A
 * and B from one Redis (append-only file, fsync always, a password). With Redis killed, both keep
 * serving A and B for the whole outage (5 s or more); a change through a replica (create C,
 * delete B) is refused at once (well within 5 s) with 503 {@code route store unavailable} and
 * {@code Retry-After: 5}, logged at WARN, the Redis password in no answer and no log, and the
 * routes served unchanged (B served, C not). With Redis started again: a route D written
 * straight into Redis and announced while the replicas are still reconnecting (an announcement
 * they miss) is served by both within 10 s (the resync); a change through a replica succeeds
 * (201) and both replicas serve A, B, C and D within 10 s of Redis's return.
 *
 * <p>The figures of a run (routes acknowledged and found, times) go to the test output,
 * prefixed {@code [file store faults]} and {@code [redis store faults]}.
 */
class RouteStoreFaultsTest {

	private static final String USER = "ops";

	private static final String PASSWORD = "ops-secret";

	private static final String REDIS_PASSWORD = "redis-secret-" + UUID.randomUUID();

	/** Kill moments after the first acknowledgement, one round each. */
	private static final List<Duration> KILL_AFTER = List.of(Duration.ofMillis(300), Duration.ofMillis(900),
			Duration.ofMillis(1700));

	/** A round ends at this many acknowledged routes if its moment has not come yet. */
	private static final int MAX_ACKNOWLEDGED_PER_ROUND = 250;

	private static final int WRITERS = 4;

	/** Bytes of metadata in each route of the file store rounds. */
	private static final int PADDING = 32 * 1024;

	/** How long Redis stays down, at least; A and B are served throughout. */
	private static final Duration OUTAGE = Duration.ofSeconds(5);

	private static final Duration OUTAGE_ANSWER = Duration.ofSeconds(5);

	private static final Duration CONVERGENCE = Duration.ofSeconds(10);

	private static final EchoBackend echo = new EchoBackend();

	private final List<AutoCloseable> started = new ArrayList<>();

	@TempDir
	Path directory;

	@AfterEach
	void stopProcesses() throws Exception {
		List<AutoCloseable> processes = new ArrayList<>(this.started);
		java.util.Collections.reverse(processes);
		for (AutoCloseable process : processes) {
			if (process instanceof GatewayProcess gateway) {
				gateway.kill();
				gateway.waitFor(Duration.ofSeconds(10));
			}
			else {
				process.close();
			}
		}
		this.started.clear();
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	// ---------------------------------------------------------------- file store

	@Test
	void gatewayKilledWhileWritingRoutesLosesNoAcknowledgedRouteAndLeavesAWholeFile() throws Exception {
		Path store = this.directory.resolve("state").resolve("routes.json");
		Path temporary = store.resolveSibling("routes.json.tmp");
		String[] args = { "--wsgate.routes.store=file", "--wsgate.routes.file.path=" + store,
				"--spring.security.user.name=" + USER, "--spring.security.user.password=" + PASSWORD,
				"--wsgate.websocket.drain-timeout=1s" };
		Set<String> acknowledged = new LinkedHashSet<>();
		Set<String> sent = new LinkedHashSet<>();
		List<String> figures = new ArrayList<>();
		Set<String> stored = Set.of();

		for (int round = 1; round <= KILL_AFTER.size(); round++) {
			GatewayProcess gateway = gateway(args);
			int port = gateway.port();
			assertServesAll(port, acknowledged);

			Round result = writeUntilKilled(gateway, "r" + round, KILL_AFTER.get(round - 1));
			assertThat(result.unexpected).as("answers other than 201 before the kill").isEmpty();
			assertThat(result.acknowledged).as("routes acknowledged in round %d", round).isNotEmpty();

			stored = storedIds(store);
			assertThat(stored).as("every route acknowledged in round %d is in the file", round)
				.containsAll(result.acknowledged)
				.containsAll(acknowledged);
			sent.addAll(result.acknowledged);
			sent.addAll(result.inFlight);
			assertThat(sent).as("the file holds no route that was never sent").containsAll(stored);
			try (Stream<Path> files = Files.list(store.getParent())) {
				assertThat(files.map(file -> file.getFileName().toString()))
					.as("nothing but the document and its temporary file")
					.isSubsetOf("routes.json", "routes.json.tmp");
			}
			boolean leftover = Files.exists(temporary);
			if (!leftover) { // the next start must ignore a half-written temporary file
				Files.writeString(temporary, "{\"version\":1,\"routes\":[{\"id\":\"half-writ");
			}
			Set<String> inFile = stored;
			long inFlightStored = result.inFlight.stream().filter(inFile::contains).count();
			figures.add(String.format("round %d: killed %d ms after the first 201; %d acknowledged, %d in flight "
					+ "(%d of them stored), file: %d routes, %d bytes, temporary file left: %s", round,
					result.killedAfter.toMillis(), result.acknowledged.size(), result.inFlight.size(), inFlightStored,
					stored.size(), Files.size(store), leftover ? "yes" : "no"));
			acknowledged.addAll(result.acknowledged);
			this.started.remove(gateway);
		}

		GatewayProcess restarted = gateway(args);
		int port = restarted.port();
		assertServesAll(port, acknowledged);
		assertThat(restarted.output()).doesNotContain("corrupt").contains(stored.size() + " runtime route(s)");
		figures.add("after the last restart: " + acknowledged.size() + " acknowledged routes of all rounds listed, "
				+ listedIds(port).size() + " routes listed in all");
		figures.forEach(line -> System.out.println("[file store faults] " + line));
	}

	/** Four clients post routes until the gateway is killed, {@code after} the first 201 (or at the cap). */
	private Round writeUntilKilled(GatewayProcess gateway, String prefix, Duration after) throws Exception {
		int port = gateway.port();
		Round round = new Round();
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int writer = 0; writer < WRITERS; writer++) {
				String ids = prefix + "-" + writer + "-";
				futures.add(writers.submit(() -> {
					Management admin = Management.as(port, USER, PASSWORD);
					for (int n = 0; !stop.get(); n++) {
						String id = ids + n;
						round.inFlight.add(id);
						HttpResponse<String> response;
						try {
							response = admin.post("/actuator/gateway/routes/" + id, paddedRoute("/" + id + "/**"));
						}
						catch (IOException ex) {
							return null; // killed: the route stays in flight
						}
						round.inFlight.remove(id);
						if (response.statusCode() == 201) {
							round.acknowledged.add(id);
						}
						else {
							round.unexpected.add(id + ": " + response.statusCode() + " " + response.body());
						}
					}
					return null;
				}));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> !round.acknowledged.isEmpty());
			long first = System.nanoTime();
			Management.eventually(after, () -> round.acknowledged.size() >= MAX_ACKNOWLEDGED_PER_ROUND);
			gateway.kill();
			round.killedAfter = Duration.ofNanos(System.nanoTime() - first);
			assertThat(gateway.waitFor(Duration.ofSeconds(10))).as("the gateway died").isTrue();
			stop.set(true);
			for (Future<?> future : futures) {
				future.get(20, TimeUnit.SECONDS);
			}
		}
		finally {
			stop.set(true);
			writers.shutdownNow();
		}
		return round;
	}

	/** Reads the file as the store does: a whole document, version 1, each entry a route definition with an id. */
	private static Set<String> storedIds(Path store) throws IOException {
		JsonNode document = Management.json.readTree(Files.readAllBytes(store));
		assertThat(document.isObject()).as("the file is a JSON object").isTrue();
		assertThat(document.path("version").asInt()).isEqualTo(1);
		assertThat(document.path("routes").isArray()).as("it has a routes array").isTrue();
		Set<String> ids = new LinkedHashSet<>();
		for (JsonNode node : document.get("routes")) {
			RouteDefinition route = Management.json.treeToValue(node, RouteDefinition.class);
			assertThat(route.getId()).isNotBlank();
			assertThat(route.getUri()).hasToString("ws://127.0.0.1:" + echo.port());
			assertThat(ids.add(route.getId())).as("route %s once", route.getId()).isTrue();
		}
		return ids;
	}

	/** Every one of {@code ids} listed, and a WebSocket relayed on the first and the last. */
	private static void assertServesAll(int port, Set<String> ids) throws Exception {
		if (ids.isEmpty()) {
			return;
		}
		assertThat(listedIds(port)).as("listed in /actuator/gateway/routedefinitions").containsAll(ids);
		List<String> all = new ArrayList<>(ids);
		for (String id : Set.of(all.get(0), all.get(all.size() - 1))) {
			await().atMost(Duration.ofSeconds(10)).until(() -> echoes(port, "/" + id + "/x"));
		}
	}

	private static Set<String> listedIds(int port) throws Exception {
		Set<String> ids = new LinkedHashSet<>();
		for (JsonNode route : Management.as(port, USER, PASSWORD).getJson("/actuator/gateway/routedefinitions")) {
			ids.add(route.get("id").asString());
		}
		return ids;
	}

	/** What the writers of one round saw. */
	private static final class Round {

		final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

		final Set<String> inFlight = ConcurrentHashMap.newKeySet();

		final List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();

		Duration killedAfter = Duration.ZERO;

	}

	// ---------------------------------------------------------------- redis store

	@Test
	void redisKilledAndRestartedRefusesChangesClearlyAndReplicasConvergeAfterwards() throws Exception {
		Path data = Files.createDirectories(this.directory.resolve("redis"));
		RedisServer redis = RedisServer.startPersistent(data, REDIS_PASSWORD);
		this.started.add(redis);
		String key = "wsgate-faults:" + UUID.randomUUID();
		String[] args = { "--wsgate.routes.store=redis", "--wsgate.routes.redis.key=" + key,
				"--wsgate.routes.redis.resync-interval=500ms", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redis.port(), "--spring.data.redis.password=" + REDIS_PASSWORD,
				"--spring.security.user.name=" + USER,
				"--spring.security.user.password=" + PASSWORD, "--wsgate.websocket.drain-timeout=1s" };
		GatewayProcess first = gateway(args);
		GatewayProcess second = gateway(args);
		int one = first.port();
		int two = second.port();
		Management admin = Management.as(one, USER, PASSWORD);
		List<String> figures = new ArrayList<>();

		assertThat(admin.post("/actuator/gateway/routes/a", route("/a/**")).statusCode()).isEqualTo(201);
		assertThat(admin.post("/actuator/gateway/routes/b", route("/b/**")).statusCode()).isEqualTo(201);
		for (int port : new int[] { one, two }) {
			// two JVMs just started, on a machine the rest of the suite keeps busy: their first upgrades are slow
			await().atMost(Duration.ofSeconds(15))
				.until(() -> RawWebSocket.upgradeStatus(port, "/a/x") == 101 && RawWebSocket.upgradeStatus(port, "/b/x") == 101);
		}

		redis.kill();
		long killed = System.nanoTime();
		assertThat(redis.listening()).isFalse();
		// an outage long enough for the clients' reconnection attempts to back off and resyncs to fail
		await().during(OUTAGE)
			.atMost(OUTAGE.plusSeconds(5))
			.until(() -> Stream.of(one, two).allMatch(port -> echoes(port, "/a/x") && echoes(port, "/b/x")));

		long start = System.nanoTime();
		HttpResponse<String> create = admin.post("/actuator/gateway/routes/c", route("/c/**"));
		Duration createAnswered = Duration.ofNanos(System.nanoTime() - start);
		start = System.nanoTime();
		HttpResponse<String> delete = admin.delete("/actuator/gateway/routes/b");
		Duration deleteAnswered = Duration.ofNanos(System.nanoTime() - start);
		for (HttpResponse<String> refused : List.of(create, delete)) {
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
			assertThat(refused.body()).contains("route store unavailable").doesNotContain(REDIS_PASSWORD);
			assertThat(refused.headers().firstValue("Retry-After")).hasValue("5");
		}
		assertThat(createAnswered).as("POST answered during the outage").isLessThanOrEqualTo(OUTAGE_ANSWER);
		assertThat(deleteAnswered).as("DELETE answered during the outage").isLessThanOrEqualTo(OUTAGE_ANSWER);
		assertThat(listedIds(one)).as("replica 1's routes, unchanged").contains("a", "b").doesNotContain("c");
		for (int port : new int[] { one, two }) {
			assertThat(RawWebSocket.upgradeStatus(port, "/b/x")).as("B still served on %d", port).isEqualTo(101);
			assertThat(RawWebSocket.upgradeStatus(port, "/c/x")).as("C not served on %d", port).isEqualTo(404);
			assertThat(RawWebSocket.upgradeStatus(port, "/a/x")).as("A still served on %d", port).isEqualTo(101);
		}
		assertThat(first.output()).containsPattern("WARN .*route API request failed \\(by ops\\): POST "
				+ "/actuator/gateway/routes/c: route store unavailable")
			.doesNotContain(REDIS_PASSWORD);
		figures.add(String.format("outage: POST c answered %d in %d ms, DELETE b answered %d in %d ms",
				create.statusCode(), createAnswered.toMillis(), delete.statusCode(), deleteAnswered.toMillis()));

		redis.restart();
		long restarted = System.nanoTime();
		figures.add(String.format("redis was down for %d ms", Duration.ofNanos(restarted - killed).toMillis()));
		// another replica's change while these two are still reconnecting: its announcement goes to no one
		redis.command("HSET", key, "d", route("/d/**"));
		redis.command("PUBLISH", key + ":changes", "elsewhere d");
		assertThat(redis.command("HLEN", key).trim()).as("A and B survived the kill (and D is new)").isEqualTo("3");
		await().atMost(CONVERGENCE)
			.until(() -> Stream.of(one, two).allMatch(port -> RawWebSocket.upgradeStatus(port, "/d/x") == 101));
		Duration found = Duration.ofNanos(System.nanoTime() - restarted);
		await().atMost(CONVERGENCE)
			.pollInterval(Duration.ofMillis(100))
			.until(() -> admin.post("/actuator/gateway/routes/c", route("/c/**")).statusCode() == 201);
		Duration created = Duration.ofNanos(System.nanoTime() - restarted);
		await().atMost(CONVERGENCE)
			.until(() -> Stream.of(one, two)
				.allMatch(port -> Stream.of("/a/x", "/b/x", "/c/x", "/d/x")
					.allMatch(path -> RawWebSocket.upgradeStatus(port, path) == 101)));
		Duration converged = Duration.ofNanos(System.nanoTime() - restarted);
		assertThat(echoes(two, "/c/x")).isTrue();
		figures.add(String.format("after restarting redis: both replicas served d (stored while they reconnected) "
				+ "after %d ms; POST c got 201 after %d ms; both replicas served a, b, c and d after %d ms",
				found.toMillis(), created.toMillis(), converged.toMillis()));
		assertThat(first.output() + second.output()).doesNotContain(REDIS_PASSWORD);
		for (GatewayProcess replica : List.of(first, second)) {
			String name = (replica == first) ? "replica 1: " : "replica 2: ";
			replica.output()
				.lines()
				.filter(line -> line.contains("refreshing routes") || line.contains("subscription"))
				.forEach(line -> figures.add(name + line.replaceFirst("^.*? : ", "")));
		}
		figures.forEach(line -> System.out.println("[redis store faults] " + line));
	}

	// ---------------------------------------------------------------- helpers

	private GatewayProcess gateway(String... args) throws IOException {
		GatewayProcess gateway = GatewayProcess.start(args);
		this.started.add(gateway);
		return gateway;
	}

	private static String route(String path) {
		return "{\"uri\":\"ws://127.0.0.1:" + echo.port() + "\",\"predicates\":[\"Path=" + path + "\"]}";
	}

	/**
	 * A route with {@link #PADDING} of metadata, so that each rewrite of the file takes long
	 * enough (the document grows to megabytes) for a kill to land in the middle of one now and then.
	 */
	private static String paddedRoute(String path) {
		return "{\"uri\":\"ws://127.0.0.1:" + echo.port() + "\",\"predicates\":[\"Path=" + path
				+ "\"],\"metadata\":{\"padding\":\"" + "x".repeat(PADDING) + "\"}}";
	}

	/** Whether a WebSocket on {@code path} is upgraded (101) and echoed. */
	private static boolean echoes(int port, String path) {
		try (RawWebSocket ws = RawWebSocket.connect(port, path)) {
			if (ws.status() != 101) {
				return false;
			}
			String text = "through " + path;
			ws.sendText(text);
			boolean echoed = text.equals(ws.readFrame().text());
			ws.sendClose(1000, "");
			ws.readUntilClose();
			return echoed;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
