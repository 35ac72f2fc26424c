package io.wsgate.pools;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.support.Frame;
import io.wsgate.support.Ports;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.WireIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pools through the whole gateway: routes to {@code lb:ws://<pool>}, real backends on random
 * ports, real WebSocket clients. Backends a, b and c serve the policy pools; d, e and f the
 * health-checked pool whose servers are killed and restarted; the {@code dead} pool has no
 * server listening at all.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.name=admin",
				"spring.security.user.password=secret" })
class PoolRoutingTest {

	static final PoolBackend a = new PoolBackend("a");

	static final PoolBackend b = new PoolBackend("b");

	static final PoolBackend c = new PoolBackend("c");

	static final PoolBackend d = new PoolBackend("d");

	static final PoolBackend e = new PoolBackend("e");

	static final PoolBackend f = new PoolBackend("f");

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	int port;

	@Autowired
	ConnectionRegistry registry;

	@DynamicPropertySource
	static void pools(DynamicPropertyRegistry registry) {
		int route = 0;
		for (String pool : List.of("rr", "random", "weighted", "least", "iphash", "headerhash", "cookiehash",
				"drainable", "keephost", "checked", "dead")) {
			String prefix = "spring.cloud.gateway.server.webflux.routes[" + route++ + "].";
			registry.add(prefix + "id", () -> pool);
			registry.add(prefix + "uri", () -> "lb:ws://" + pool);
			registry.add(prefix + "predicates[0]", () -> "Path=/" + pool + "/**");
		}
		String plain = "spring.cloud.gateway.server.webflux.routes[" + route + "].";
		registry.add(plain + "id", () -> "plain-http");
		registry.add(plain + "uri", () -> "lb://rr");
		registry.add(plain + "predicates[0]", () -> "Path=/health");
		pool(registry, "rr", "round-robin", a, b, c);
		pool(registry, "random", "random", a, b, c);
		pool(registry, "weighted", "weighted", a, b, c);
		registry.add("wsgate.pools.weighted.servers[0].weight", () -> "3");
		pool(registry, "least", "least-connections", a, b, c);
		pool(registry, "iphash", "ip-hash", a, b, c);
		pool(registry, "headerhash", "header-hash", a, b, c);
		registry.add("wsgate.pools.headerhash.load-balance.header-name", () -> "X-User");
		pool(registry, "cookiehash", "cookie-hash", a, b, c);
		registry.add("wsgate.pools.cookiehash.load-balance.cookie-name", () -> "session");
		pool(registry, "drainable", "round-robin", a, b, c);
		pool(registry, "keephost", "round-robin", a);
		registry.add("wsgate.pools.keephost.servers[0].keep-host", () -> "true");
		pool(registry, "checked", "round-robin", d, e, f);
		healthCheck(registry, "checked");
		registry.add("wsgate.pools.checked.health-check.fails", () -> "2");
		registry.add("wsgate.pools.checked.health-check.passes", () -> "2");
		registry.add("wsgate.pools.dead.servers[0].url", () -> "ws://127.0.0.1:" + Ports.unused());
		registry.add("wsgate.pools.dead.servers[1].url", () -> "ws://127.0.0.1:" + Ports.unused());
		healthCheck(registry, "dead");
	}

	private static void pool(DynamicPropertyRegistry registry, String pool, String policy, PoolBackend... servers) {
		registry.add("wsgate.pools." + pool + ".load-balance.policy", () -> policy);
		for (int i = 0; i < servers.length; i++) {
			PoolBackend server = servers[i];
			registry.add("wsgate.pools." + pool + ".servers[" + i + "].url", server::url);
		}
	}

	private static void healthCheck(DynamicPropertyRegistry registry, String pool) {
		String prefix = "wsgate.pools." + pool + ".health-check.";
		registry.add(prefix + "interval", () -> "200ms");
		registry.add(prefix + "timeout", () -> "500ms");
		registry.add(prefix + "http.uri", () -> "/health");
		registry.add(prefix + "ws.uri", () -> "/probe");
	}

	@AfterAll
	static void stopBackends() {
		List.of(a, b, c, d, e, f).forEach(PoolBackend::close);
	}

	@AfterEach
	void noConnectionLeftOpen() throws InterruptedException {
		assertThat(eventually(Duration.ofSeconds(5), () -> this.registry.size() == 0))
			.as("connections still registered after the test")
			.isTrue();
	}

	// ---- policies ----

	@Test
	void roundRobinTakesTurns() throws Exception {
		assertThat(count(backendsOf("/rr/x", 30, Map.of()))).containsEntry("a", 10).containsEntry("b", 10)
			.containsEntry("c", 10);
	}

	@Test
	void randomReachesEveryServer() throws Exception {
		Map<String, Integer> counts = count(backendsOf("/random/x", 150, Map.of()));
		assertThat(counts.keySet()).containsExactlyInAnyOrder("a", "b", "c");
		counts.values().forEach(count -> assertThat(count).isBetween(20, 80));
	}

	@Test
	void weightedSplitsThreeToOneToOne() throws Exception {
		Map<String, Integer> counts = count(backendsOf("/weighted/x", 250, Map.of()));
		assertThat(counts.get("a")).isBetween(140, 160);
		assertThat(counts.get("b")).isBetween(40, 60);
		assertThat(counts.get("c")).isBetween(40, 60);
	}

	@Test
	void leastConnectionsSpreadsLongLivedConnectionsEvenly() throws Exception {
		List<RawWebSocket> open = new ArrayList<>();
		try {
			for (int i = 0; i < 300; i++) {
				open.add(upgrade("/least/x", Map.of()));
			}
			Map<String, Integer> counts = count(open.stream().map(ws -> ws.header("x-backend")).toList());
			counts.values().forEach(count -> assertThat(count).isBetween(95, 105));

			// a's connections end: the next ones all go to a, which now has the fewest
			List<RawWebSocket> onA = open.stream().filter(ws -> "a".equals(ws.header("x-backend"))).toList();
			for (RawWebSocket ws : onA) {
				closeQuietly(ws);
			}
			open.removeAll(onA);
			assertThat(eventually(Duration.ofSeconds(5), () -> activeConnections("least", 0) == 0)).isTrue();
			List<RawWebSocket> next = new ArrayList<>();
			for (int i = 0; i < 50; i++) {
				next.add(upgrade("/least/x", Map.of()));
			}
			open.addAll(next);
			assertThat(next).allSatisfy(ws -> assertThat(ws.header("x-backend")).isEqualTo("a"));
		}
		finally {
			open.forEach(PoolRoutingTest::closeQuietly);
		}
	}

	@Test
	void ipHashKeepsEachClientAddressOnOneServer() throws Exception {
		Set<String> used = new HashSet<>();
		for (int host = 2; host <= 25; host++) {
			InetAddress client = InetAddress.getByName("127.0.0." + host);
			String first = backendFrom(client, "/iphash/x", Map.of());
			for (int again = 0; again < 3; again++) {
				assertThat(backendFrom(client, "/iphash/x", Map.of())).as("client " + client).isEqualTo(first);
			}
			used.add(first);
		}
		assertThat(used).as("24 client addresses spread over the servers").hasSizeGreaterThan(1);
	}

	@Test
	void headerHashKeepsEachHeaderValueOnOneServer() throws Exception {
		Set<String> used = new HashSet<>();
		for (int user = 0; user < 24; user++) {
			Map<String, String> headers = Map.of("X-User", "user-" + user);
			List<String> backends = backendsOf("/headerhash/x", 4, headers);
			assertThat(new HashSet<>(backends)).as("user-" + user).hasSize(1);
			used.add(backends.get(0));
		}
		assertThat(used).hasSizeGreaterThan(1);
	}

	@Test
	void cookieHashKeepsEachCookieOnOneServer() throws Exception {
		Set<String> used = new HashSet<>();
		for (int session = 0; session < 24; session++) {
			Map<String, String> headers = Map.of("Cookie", "theme=dark; session=s" + session);
			List<String> backends = backendsOf("/cookiehash/x", 4, headers);
			assertThat(new HashSet<>(backends)).as("session s" + session).hasSize(1);
			used.add(backends.get(0));
		}
		assertThat(used).hasSizeGreaterThan(1);
	}

	@Test
	void keepHostPassesTheClientsHostHeader() throws Exception {
		try (RawWebSocket kept = upgrade("/keephost/x", Map.of());
				RawWebSocket replaced = upgrade("/rr/x", Map.of())) {
			assertThat(kept.header("x-seen-host")).isEqualTo("127.0.0.1:" + this.port);
			assertThat(replaced.header("x-seen-host")).startsWith("127.0.0.1:").isNotEqualTo("127.0.0.1:" + this.port);
			kept.sendClose(1000, "");
			replaced.sendClose(1000, "");
		}
	}

	@Test
	void frameRelayWorksThroughAPool() throws Exception {
		try (RawWebSocket ws = upgrade("/rr/x", Map.of())) {
			ws.sendText("hello pool");
			assertThat(ws.readFrame().text()).isEqualTo("hello pool");
			ws.sendClose(1000, "bye");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void plainHttpRequestsPassThroughAPoolToo() throws Exception {
		int before = a.healthRequests.get() + b.healthRequests.get() + c.healthRequests.get();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = get("/health", false);
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("ok");
		}
		assertThat(a.healthRequests.get() + b.healthRequests.get() + c.healthRequests.get()).isEqualTo(before + 3);
	}

	// ---- health ----

	@Test
	void aKilledServerLeavesTheRotationAndReturnsAfterARestart() throws Exception {
		assertThat(eventually(Duration.ofSeconds(5), () -> inRotation("checked") == 3)).isTrue();
		d.kill();
		try {
			long killed = System.nanoTime();
			// interval 200ms x fails 2: out after the second failed round (each refused at once)
			assertThat(eventually(Duration.ofSeconds(5), () -> "unhealthy".equals(state("checked", 0)))).isTrue();
			long outAfterMillis = (System.nanoTime() - killed) / 1_000_000;
			assertThat(outAfterMillis).as("left the rotation within a few intervals").isLessThan(3_000);
			JsonNode server = server("checked", 0);
			assertThat(server.get("inRotation").asBoolean()).isFalse();
			assertThat(server.get("lastProbe").get("result").asString()).isEqualTo("failed");
			assertThat(server.get("lastProbe").get("failure").asString()).contains("connection refused");
			assertThat(backendsOf("/checked/x", 20, Map.of())).doesNotContain("d").contains("e", "f");
		}
		finally {
			d.restart();
		}
		assertThat(eventually(Duration.ofSeconds(5), () -> "healthy".equals(state("checked", 0)))).isTrue();
		assertThat(backendsOf("/checked/x", 9, Map.of())).contains("d", "e", "f");
	}

	@Test
	void noServerInRotationMeans503BeforeAnyUpgrade() throws Exception {
		assertThat(eventually(Duration.ofSeconds(5), () -> inRotation("dead") == 0)).isTrue();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/dead/x")) {
			assertThat(ws.status()).isEqualTo(503);
			assertThat(ws.header("upgrade")).isNull();
		}
	}

	@Test
	void aFailingWebSocketProbeTakesAServerOut() throws Exception {
		assertThat(eventually(Duration.ofSeconds(5), () -> inRotation("checked") == 3)).isTrue();
		e.refuseUpgrades = 403;
		try {
			assertThat(eventually(Duration.ofSeconds(5), () -> "unhealthy".equals(state("checked", 1)))).isTrue();
			assertThat(server("checked", 1).get("lastProbe").get("failure").asString())
				.isEqualTo("ws: upgrade refused with status 403");
		}
		finally {
			e.refuseUpgrades = 0;
		}
		assertThat(eventually(Duration.ofSeconds(5), () -> "healthy".equals(state("checked", 1)))).isTrue();
	}

	// ---- actuator ----

	@Test
	void wsbackendsListsPoolsServersProbesAndConnections() throws Exception {
		assertThat(eventually(Duration.ofSeconds(5), () -> inRotation("checked") == 3)).isTrue();
		try (RawWebSocket first = upgrade("/least/x", Map.of()); RawWebSocket second = upgrade("/least/x", Map.of())) {
			JsonNode pools = json.readTree(get("/actuator/wsbackends", true).body()).get("pools");
			assertThat(pools.propertyNames()).contains("rr", "least", "checked", "dead");
			JsonNode least = pools.get("least");
			assertThat(least.get("policy").asString()).isEqualTo("least-connections");
			assertThat(least.get("healthCheck").isNull()).isTrue();
			int active = 0;
			for (JsonNode server : least.get("servers")) {
				active += server.get("activeConnections").asInt();
			}
			assertThat(active).isEqualTo(2);

			JsonNode checked = pools.get("checked");
			assertThat(checked.get("inRotation").asInt()).isEqualTo(3);
			assertThat(checked.get("healthCheck").get("interval").asString()).isEqualTo("PT0.2S");
			assertThat(checked.get("healthCheck").get("fails").asInt()).isEqualTo(2);
			JsonNode server = checked.get("servers").get(0);
			assertThat(server.get("index").asInt()).isZero();
			assertThat(server.get("url").asString()).isEqualTo(d.url());
			assertThat(server.get("state").asString()).isEqualTo("healthy");
			JsonNode probe = server.get("lastProbe");
			assertThat(probe.get("result").asString()).isEqualTo("passed");
			assertThat(Instant.parse(probe.get("time").asString())).isBefore(Instant.now().plusSeconds(1));
			assertThat(probe.get("latencyMs").asDouble()).isPositive();
			assertThat(probe.get("failure").isNull()).isTrue();

			JsonNode dead = pools.get("dead").get("servers").get(0);
			assertThat(dead.get("state").asString()).isEqualTo("unhealthy");
			assertThat(dead.get("lastProbe").get("failure").asString())
				.isEqualTo("http: connection refused; ws: connection refused");
			first.sendClose(1000, "");
			second.sendClose(1000, "");
		}
	}

	@Test
	void wsbackendsNeedsAuthentication() throws Exception {
		assertThat(get("/actuator/wsbackends", false).statusCode()).isEqualTo(401);
		assertThat(post("/actuator/wsbackends/rr/servers/0/drain", false).statusCode()).isEqualTo(401);
	}

	@Test
	void healthShowsTheBackendsDetailsOnlyToAuthenticatedUsers() throws Exception {
		assertThat(eventually(Duration.ofSeconds(5), () -> inRotation("dead") == 0)).isTrue();
		HttpResponse<String> anonymous = get("/actuator/health", false);
		assertThat(anonymous.statusCode()).as("the dead pool has no server").isEqualTo(503);
		assertThat(json.readTree(anonymous.body()).has("components")).isFalse();

		JsonNode backends = json.readTree(get("/actuator/health", true).body()).get("components").get("wsBackends");
		assertThat(backends.get("status").asString()).isEqualTo("DOWN");
		assertThat(backends.get("details").get("rr").get("status").asString()).isEqualTo("UP");
		assertThat(backends.get("details").get("dead").get("status").asString()).isEqualTo("DOWN");
		assertThat(backends.get("details").get("checked").get("servers").get(e.url()).asString()).isNotBlank();
	}

	@Test
	void probeNowProbesEveryServerOfThePool() throws Exception {
		Instant before = Instant.now();
		int requests = f.healthRequests.get();
		HttpResponse<String> response = post("/actuator/wsbackends/checked/probe", true);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode server = json.readTree(response.body()).get("servers").get(2);
		assertThat(Instant.parse(server.get("lastProbe").get("time").asString())).isAfterOrEqualTo(before);
		assertThat(f.healthRequests.get()).isGreaterThan(requests);
		assertThat(post("/actuator/wsbackends/nosuchpool/probe", true).statusCode()).isEqualTo(404);
		assertThat(post("/actuator/wsbackends/rr/probe", true).statusCode()).as("rr has no health-check")
			.isEqualTo(400);
	}

	@Test
	void drainTakesAServerOutClosesItsConnectionsWith1001AndUndrainBringsItBack() throws Exception {
		List<RawWebSocket> open = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				open.add(upgrade("/drainable/x", Map.of()));
			}
			RawWebSocket onA = open.stream().filter(ws -> "a".equals(ws.header("x-backend"))).findFirst().orElseThrow();
			HttpResponse<String> drained = post("/actuator/wsbackends/drainable/servers/0/drain?close=true", true);
			assertThat(drained.statusCode()).isEqualTo(200);
			assertThat(json.readTree(drained.body()).get("state").asString()).isEqualTo("drained");
			Frame close = onA.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(close.closeReason()).isEqualTo(BackendPool.DRAIN_REASON);
			onA.sendClose(1001, "");
			assertThat(backendsOf("/drainable/x", 10, Map.of())).doesNotContain("a");
			assertThat(server("drainable", 0).get("inRotation").asBoolean()).isFalse();

			assertThat(post("/actuator/wsbackends/drainable/servers/0/undrain", true).statusCode()).isEqualTo(200);
			assertThat(backendsOf("/drainable/x", 3, Map.of())).contains("a");
			assertThat(post("/actuator/wsbackends/drainable/servers/7/drain", true).statusCode()).isEqualTo(404);
		}
		finally {
			open.forEach(PoolRoutingTest::closeQuietly);
		}
	}

	// ---- helpers ----

	private RawWebSocket upgrade(String path, Map<String, String> headers) throws IOException {
		RawWebSocket ws = RawWebSocket.connect(this.port, path, headers);
		assertThat(ws.status()).as("upgrade of " + path).isEqualTo(101);
		return ws;
	}

	/** The backends that {@code count} connections in a row reached (each closed at once). */
	private List<String> backendsOf(String path, int count, Map<String, String> headers) throws IOException {
		List<String> backends = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			try (RawWebSocket ws = upgrade(path, headers)) {
				backends.add(ws.header("x-backend"));
				ws.sendClose(1000, "");
				ws.readUntilClose();
			}
		}
		return backends;
	}

	/** The backend a connection from {@code client} (a loopback address) reaches. */
	private String backendFrom(InetAddress client, String path, Map<String, String> headers) throws IOException {
		try (Socket socket = new Socket()) {
			socket.bind(new InetSocketAddress(client, 0));
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 5000);
			socket.setSoTimeout(10_000);
			StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + this.port
					+ "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
					+ "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
			headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
			socket.getOutputStream().write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
			InputStream in = socket.getInputStream();
			WireIO.Head head = WireIO.readHead(in);
			assertThat(head.status()).isEqualTo(101);
			WireIO.writeFrame(socket.getOutputStream(), true, Frame.CLOSE, WireIO.closePayload(1000, ""), true);
			WireIO.readFrame(in);
			return head.header("x-backend");
		}
	}

	private static Map<String, Integer> count(List<String> backends) {
		Map<String, Integer> counts = new HashMap<>();
		backends.forEach(backend -> counts.merge(backend, 1, Integer::sum));
		return counts;
	}

	private static void closeQuietly(RawWebSocket ws) {
		try {
			ws.sendClose(1000, "");
			ws.close();
		}
		catch (IOException ex) {
			// already gone
		}
	}

	private int inRotation(String pool) {
		return pool(pool).get("inRotation").asInt();
	}

	private String state(String pool, int index) {
		return server(pool, index).get("state").asString();
	}

	private int activeConnections(String pool, int index) {
		return server(pool, index).get("activeConnections").asInt();
	}

	private JsonNode server(String pool, int index) {
		return pool(pool).get("servers").get(index);
	}

	private JsonNode pool(String pool) {
		try {
			HttpResponse<String> response = get("/actuator/wsbackends/" + pool, true);
			assertThat(response.statusCode()).isEqualTo(200);
			return json.readTree(response.body());
		}
		catch (IOException | InterruptedException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private HttpResponse<String> get(String path, boolean authenticated) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).GET(), authenticated);
	}

	private HttpResponse<String> post(String path, boolean authenticated) throws IOException, InterruptedException {
		return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("X-Requested-By", "wsgate-tests")
			.POST(HttpRequest.BodyPublishers.noBody()), authenticated);
	}

	private static HttpResponse<String> send(HttpRequest.Builder request, boolean authenticated)
			throws IOException, InterruptedException {
		if (authenticated) {
			request.header("Authorization",
					"Basic " + Base64.getEncoder().encodeToString("admin:secret".getBytes(StandardCharsets.UTF_8)));
		}
		return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static boolean eventually(Duration within, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		while (System.nanoTime() < deadline) {
			if (condition.getAsBoolean()) {
				return true;
			}
			Thread.sleep(20);
		}
		return condition.getAsBoolean();
	}

}
