package io.wsgate.lifetime;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.wsgate.WsgateApplication;
import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown with open connections: readiness goes down, new upgrades get 503, every open
 * connection gets 1001 "server shutting down" on both sides, and the process ends once they
 * are closed. The gateway is a process of its own (this JVM's classpath, the application's
 * main class) stopped with SIGTERM, as an orchestrator stops it; closing an application
 * context inside the test JVM would also dispose Reactor Netty's global event loops, which
 * the other tests' servers share.
 */
class GracefulDrainTest {

	private static final int CONNECTIONS = 200;

	private static final EchoBackend echo = new EchoBackend();

	private Gateway gateway;

	@AfterEach
	void stopGateway() {
		if (this.gateway != null) {
			this.gateway.process.destroyForcibly(); // after a failure; normally it is gone already
		}
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void shutdownSends1001ToEveryConnectionAndWaitsForThem() throws Exception {
		Gateway gateway = this.gateway = Gateway.start("--server.port=0", "--wsgate.demo.enabled=false",
				"--wsgate.websocket.drain-timeout=20s", "--wsgate.websocket.close-timeout=2s",
				"--spring.cloud.gateway.server.webflux.routes[0].id=echo",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=ws://127.0.0.1:" + echo.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/echo/**");
		int port = gateway.port;
		HttpClient http = HttpClient.newHttpClient();

		List<Client> clients = new ArrayList<>();
		for (int i = 0; i < CONNECTIONS; i++) {
			Client client = new Client("drain-" + i);
			http.newWebSocketBuilder()
				.buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo/x?id=" + client.id), client)
				.get(10, TimeUnit.SECONDS)
				.sendText("hello " + i, true);
			clients.add(client);
		}
		for (Client client : clients) {
			assertThat(client.firstMessage.get(10, TimeUnit.SECONDS)).startsWith("hello ");
		}
		// one client that will not answer the close: it keeps the drain waiting (up to the
		// close-timeout), long enough to look at the gateway while it drains
		RawWebSocket stubborn = RawWebSocket.connect(port, "/echo/x?id=stubborn");
		assertThat(stubborn.status()).isEqualTo(101);

		long start = System.nanoTime();
		gateway.process.toHandle().destroy(); // SIGTERM (Process.destroy would also close its output)

		stubborn.setReadTimeout(Duration.ofSeconds(10));
		Frame close = stubborn.readUntilClose();
		assertThat(close.closeCode()).isEqualTo(1001);
		assertThat(close.closeReason()).isEqualTo("server shutting down");
		// still draining (the stubborn client has not answered): not ready, no new upgrades
		HttpResponse<String> readiness = http.send(
				HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(readiness.statusCode()).isEqualTo(503);
		try (RawWebSocket late = RawWebSocket.connect(port, "/echo/x?id=late")) {
			assertThat(late.status()).isEqualTo(503);
			assertThat(late.body()).contains("server shutting down");
		}
		assertThat(gateway.process.isAlive()).isTrue();

		assertThat(gateway.process.waitFor(30, TimeUnit.SECONDS)).as("the process ended").isTrue();
		long tookMillis = (System.nanoTime() - start) / 1_000_000;
		assertThat(tookMillis).as("the drain ends with the connections, not at drain-timeout").isLessThan(15_000);
		assertThat(gateway.output()).contains("shutdown: draining " + (CONNECTIONS + 1) + " WebSocket connections")
			.contains("shutdown: all " + (CONNECTIONS + 1) + " WebSocket connections closed");
		for (Client client : clients) {
			assertThat(client.closed).as(client.id).isCompleted();
			assertThat(client.closed.get()).isEqualTo("1001 server shutting down");
			WebSocketCloseStatus backendSaw = echo.record(client.id).closeStatus(Duration.ofSeconds(5));
			assertThat(backendSaw.code()).isEqualTo(1001);
			assertThat(backendSaw.reasonText()).isEqualTo("server shutting down");
		}
		assertThat(stubborn.closedByPeerWithin(Duration.ofSeconds(1))).isTrue();
		stubborn.close();
	}

	/** wsgate in a child JVM, its console collected; the port is read from its startup line. */
	static final class Gateway {

		private static final Pattern STARTED = Pattern.compile("Netty started on port (\\d+)");

		final Process process;

		final int port;

		private final StringBuffer output = new StringBuffer();

		private final Thread reader;

		private Gateway(Process process) throws Exception {
			this.process = process;
			CompletableFuture<Integer> port = new CompletableFuture<>();
			this.reader = new Thread(() -> {
				try (BufferedReader lines = process.inputReader()) {
					String line;
					while ((line = lines.readLine()) != null) {
						this.output.append(line).append('\n');
						Matcher matcher = STARTED.matcher(line);
						if (matcher.find()) {
							port.complete(Integer.parseInt(matcher.group(1)));
						}
					}
				}
				catch (IOException ex) {
					// the process is gone
				}
				port.completeExceptionally(new IllegalStateException("gateway exited:\n" + this.output));
			}, "gateway-console");
			this.reader.setDaemon(true);
			this.reader.start();
			this.port = port.get(60, TimeUnit.SECONDS);
		}

		static Gateway start(String... args) throws Exception {
			List<String> command = new ArrayList<>(List.of(
					Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-cp",
					System.getProperty("java.class.path"), WsgateApplication.class.getName()));
			command.addAll(List.of(args));
			return new Gateway(new ProcessBuilder(command).redirectErrorStream(true).start());
		}

		/** Everything the process wrote, once it has ended. */
		String output() throws InterruptedException {
			this.reader.join(5000);
			return this.output.toString();
		}

	}

	/** A JDK WebSocket client that remembers its first message and the close it received. */
	static final class Client implements WebSocket.Listener {

		final String id;

		final CompletableFuture<String> firstMessage = new CompletableFuture<>();

		final CompletableFuture<String> closed = new CompletableFuture<>();

		Client(String id) {
			this.id = id;
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.firstMessage.complete(data.toString());
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			this.closed.complete(statusCode + " " + reason);
			return null; // the JDK client then answers the close with the same code
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			this.closed.completeExceptionally(error);
		}

	}

}
