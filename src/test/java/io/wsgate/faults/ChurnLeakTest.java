package io.wsgate.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.NodeClients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A leak check, not a timing: ten rounds of opening 9,000 WebSocket connections through a
 * gateway in its own JVM (one echo each), then closing all of them. After each round, once
 * the gateway has no connection left, its open file descriptors, the bytes Netty's allocator
 * holds in direct memory and the Java heap after a full collection are sampled. After the
 * last round they must be within a few percent of the first round's (the first round is the
 * baseline: it is the one that fills the allocator's arenas and loads the classes). A relay
 * that forgot a channel, a buffer or a registry entry per connection would grow by 90,000 of
 * them over the rounds.
 *
 * <p>The fd limit here is 20,000 per process: the gateway holds two per connection (client and
 * backend side), so 9,000 is about as many as one round can hold. The clients and the echo
 * backend are Node processes ({@code src/test/node/churn.mjs}).
 */
class ChurnLeakTest {

	private static final int ROUNDS = 10;

	private static final int CONNECTIONS = 9_000;

	private static final String PASSWORD = "churn-password";

	private GatewayProcess gateway;

	private Process backend;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.gateway != null) {
			this.gateway.kill();
		}
		if (this.backend != null) {
			this.backend.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void tenRoundsOfNineThousandConnectionsLeaveNoFdBufferHeapOrRegistryEntryBehind() throws Exception {
		this.backend = NodeClients.start("churn.mjs", "backend");
		int backendPort = NodeClients.portOf(this.backend);
		String routes = "--spring.cloud.gateway.server.webflux.routes[0]";
		this.gateway = GatewayProcess.start("--spring.security.user.password=" + PASSWORD,
				"--wsgate.websocket.max-connections=20000", "--wsgate.server.max-connections-per-client=0",
				"--logging.level.io.wsgate.connections=WARN", routes + ".id=churn",
				routes + ".uri=ws://127.0.0.1:" + backendPort, routes + ".predicates[0]=Path=/churn/**");
		int port = this.gateway.port();
		Management management = Management.as(port, "user", PASSWORD);
		String url = "ws://127.0.0.1:" + port + "/churn/x";

		List<Sample> samples = new ArrayList<>();
		for (int round = 1; round <= ROUNDS; round++) {
			JsonNode result = Management.json.readTree(NodeClients.run("churn.mjs", "round", url,
					Integer.toString(CONNECTIONS)));
			assertThat(result.path("error").isMissingNode()).as("round %d: %s", round, result).isTrue();
			assertThat(result.path("opened").asInt()).as("round %d opened: %s", round, result).isEqualTo(CONNECTIONS);
			assertThat(result.path("echoed").asInt()).as("round %d echoed: %s", round, result).isEqualTo(CONNECTIONS);
			assertThat(result.path("closed").asInt()).as("round %d closed with 1000: %s", round, result)
				.isEqualTo(CONNECTIONS);
			await().atMost(Duration.ofSeconds(20))
				.until(() -> gauge(management, "wsgate.connections.active") == 0
						&& gauge(management, "wsgate.connections.handshaking") == 0);
			samples.add(sample(round, management, result.path("ms").asLong()));
		}
		samples.forEach(System.out::println);

		Sample first = samples.get(0);
		Sample last = samples.get(samples.size() - 1);
		// fds: the listener, the class path's jars, epoll: a handful may come and go (a pooled
		// connection's socket, a JAR re-opened); a leak would be one or two per connection
		assertThat(last.fds()).as("open fds after the last round, first round: %d", first.fds())
			.isLessThanOrEqualTo(first.fds() + 20);
		// Netty's pooled direct memory is allocated in 4 MiB chunks per arena (one arena per
		// event loop, two here), kept for reuse: one more chunk per arena is growth of the pool,
		// not a leak; 9,000 leaked buffers would be far more
		assertThat(last.directBytes()).as("Netty direct bytes after the last round, first round: %d", first.directBytes())
			.isLessThanOrEqualTo(first.directBytes() + 2 * 4 * 1024 * 1024 + first.directBytes() / 20);
		// the heap after a full collection: within 5% (and 4 MiB, for the meters' and the JIT's own growth)
		assertThat(last.heapBytes()).as("heap after a full GC after the last round, first round: %d", first.heapBytes())
			.isLessThanOrEqualTo(first.heapBytes() + first.heapBytes() / 20 + 4 * 1024 * 1024);
	}

	/** One round's figures, once the gateway had no connection left. */
	record Sample(int round, long millis, int fds, long directBytes, long heapBytes) {

		@Override
		public String toString() {
			return String.format("round %2d: %5d ms, fds %d, Netty direct %.1f MiB, heap after GC %.1f MiB", this.round,
					this.millis, this.fds, this.directBytes / 1048576.0, this.heapBytes / 1048576.0);
		}

	}

	private Sample sample(int round, Management management, long millis) throws Exception {
		fullGc();
		return new Sample(round, millis, this.gateway.openFds(),
				gauge(management, "netty.allocator.memory.used?tag=memory.type:direct"),
				gauge(management, "jvm.memory.used?tag=area:heap"));
	}

	/** A full collection in the gateway's JVM ({@code jcmd <pid> GC.run}, which waits for it). */
	private void fullGc() throws IOException, InterruptedException {
		Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
		Process process = new ProcessBuilder(jcmd.toString(), Long.toString(this.gateway.pid()), "GC.run")
			.redirectErrorStream(true)
			.start();
		process.getInputStream().readAllBytes();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("jcmd GC.run finished").isTrue();
		assertThat(process.exitValue()).as("jcmd GC.run exit code").isZero();
	}

	private static long gauge(Management management, String meter) throws Exception {
		JsonNode body = management.getJson("/actuator/metrics/" + meter);
		return (long) body.path("measurements").get(0).path("value").asDouble();
	}

}
