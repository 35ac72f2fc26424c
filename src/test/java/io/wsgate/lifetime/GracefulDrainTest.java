package io.wsgate.lifetime;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shutdown with open connections: readiness goes down, new upgrades get 503, every open
 * connection gets 1001 "server shutting down" on both sides, and the process ends once they
 * are closed. The gateway is a process of its own ({@link GatewayProcess}) stopped with
 * SIGTERM, as an orchestrator stops it.
 */
class GracefulDrainTest {

	private static final int CONNECTIONS = 200;

	private static final EchoBackend echo = new EchoBackend();

	private GatewayProcess gateway;

	@AfterEach
	void stopGateway() {
		if (this.gateway != null) {
			this.gateway.kill(); // after a failure; normally it is gone already
		}
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void shutdownSends1001ToEveryConnectionAndWaitsForThem() throws Exception {
		GatewayProcess gateway = this.gateway = GatewayProcess.start("--wsgate.websocket.drain-timeout=20s", "--wsgate.websocket.close-timeout=2s",
				"--spring.cloud.gateway.server.webflux.routes[0].id=echo",
				"--spring.cloud.gateway.server.webflux.routes[0].uri=ws://127.0.0.1:" + echo.port(),
				"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/echo/**");
		int port = gateway.port();
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
		gateway.terminate(); // SIGTERM

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
		assertThat(gateway.isAlive()).isTrue();

		assertThat(gateway.waitFor(Duration.ofSeconds(30))).as("the process ended").isTrue();
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
