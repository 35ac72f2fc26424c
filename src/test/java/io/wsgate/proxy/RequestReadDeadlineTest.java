package io.wsgate.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.Ports;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code wsgate.server.request-read-timeout} (2 s here) on the main listener and on the plain
 * listener: a client that trickles its request head a line a second (slowloris), or sends
 * nothing, is cut off; one that sent its head in time is not, and neither is a WebSocket that
 * lives longer than the deadline. The plain listener also applies Spring Boot's
 * {@code server.max-http-request-header-size}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.password=test-password",
				"wsgate.server.request-read-timeout=2s",
				"server.max-http-request-header-size=2KB" })
class RequestReadDeadlineTest {

	static final Duration DEADLINE = Duration.ofSeconds(2);

	/** The deadline plus room for a loaded machine: closed by then, or never. */
	static final Duration CUT_OFF_BY = DEADLINE.plusSeconds(4);

	static final EchoBackend echo = new EchoBackend();

	static final int plainPort = Ports.unused();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		Routes.route(registry, 0, "echo", "ws://127.0.0.1:" + echo.port(), "/echo/**");
		registry.add("wsgate.server.http.port", () -> Integer.toString(plainPort));
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void theMainListenerCutsOffAClientTricklingItsRequestHead() throws Exception {
		try (Trickle trickle = Trickle.start(this.port, "GET /echo/slow HTTP/1.1\r\n")) {
			await().atMost(CUT_OFF_BY).untilTrue(trickle.closed);
			assertThat(trickle.received()).startsWith("HTTP/1.1 408");
			assertThat(trickle.linesSent()).as("header lines sent before the cut").isLessThan(10);
		}
	}

	@Test
	void thePlainListenerCutsOffAClientTricklingItsRequestHead() throws Exception {
		try (Trickle trickle = Trickle.start(plainPort, "GET /echo/slow HTTP/1.1\r\n")) {
			await().atMost(CUT_OFF_BY).untilTrue(trickle.closed);
			assertThat(trickle.received()).startsWith("HTTP/1.1 408");
		}
	}

	@Test
	void aConnectionThatSendsNothingIsClosed() throws Exception {
		try (Trickle silent = Trickle.silent(this.port); Trickle silentPlain = Trickle.silent(plainPort)) {
			await().atMost(CUT_OFF_BY).untilTrue(silent.closed);
			await().atMost(CUT_OFF_BY).untilTrue(silentPlain.closed);
		}
	}

	@Test
	void theNextRequestOnAKeptAliveConnectionHasTheDeadlineToo() throws Exception {
		String quick = "GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n";
		try (Trickle trickle = Trickle.start(this.port, quick + "GET /echo/slow HTTP/1.1\r\n")) {
			await().atMost(CUT_OFF_BY).untilTrue(trickle.closed);
			assertThat(trickle.received()).as("the first request was answered").startsWith("HTTP/1.1 404");
			assertThat(trickle.received()).contains("HTTP/1.1 408");
		}
	}

	@Test
	void aWebSocketOutlivesTheDeadline() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/long");
				RawWebSocket plain = RawWebSocket.connect(plainPort, "/echo/long")) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(plain.status()).isEqualTo(101);
			Thread.sleep(DEADLINE.plusMillis(1500).toMillis());
			ws.sendText("still here");
			assertThat(ws.readFrame().text()).isEqualTo("still here");
			plain.sendText("still here");
			assertThat(plain.readFrame().text()).isEqualTo("still here");
			ws.sendClose(1000, "");
			ws.readUntilClose();
			plain.sendClose(1000, "");
			plain.readUntilClose();
		}
	}

	@Test
	void thePlainListenerAppliesTheMaxHeaderSize() throws Exception {
		String big = "x".repeat(3000);
		try (RawWebSocket main = RawWebSocket.connect(this.port, "/echo/big", Map.of("X-Big", big));
				RawWebSocket plain = RawWebSocket.connect(plainPort, "/echo/big", Map.of("X-Big", big))) {
			assertThat(main.status()).isEqualTo(431);
			assertThat(plain.status()).as("as the main listener does").isEqualTo(431);
		}
	}

	/**
	 * A client that writes {@code head} and then one header line a second, never the blank line
	 * that ends the head, and records what it reads until the server closes.
	 */
	static final class Trickle implements AutoCloseable {

		final AtomicBoolean closed = new AtomicBoolean();

		private final Socket socket;

		private final ByteArrayOutputStream received = new ByteArrayOutputStream();

		private volatile int linesSent;

		private Trickle(int port) throws IOException {
			this.socket = new Socket();
			this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
			daemon(this::read);
		}

		static Trickle start(int port, String head) throws IOException {
			Trickle trickle = new Trickle(port);
			daemon(() -> trickle.write(head));
			return trickle;
		}

		static Trickle silent(int port) throws IOException {
			return new Trickle(port);
		}

		private static void daemon(Runnable task) {
			Thread thread = new Thread(task, "trickle");
			thread.setDaemon(true);
			thread.start();
		}

		private void write(String head) {
			try {
				OutputStream out = this.socket.getOutputStream();
				out.write(head.getBytes(StandardCharsets.ISO_8859_1));
				out.flush();
				for (int i = 0; i < 30 && !this.closed.get(); i++) {
					Thread.sleep(1000);
					out.write(("X-Slow-" + i + ": " + i + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
					out.flush();
					this.linesSent++;
				}
			}
			catch (IOException | InterruptedException ex) {
				// the server closed the connection
			}
		}

		private void read() {
			try {
				InputStream in = this.socket.getInputStream();
				byte[] buffer = new byte[1024];
				int n;
				while ((n = in.read(buffer)) >= 0) {
					synchronized (this.received) {
						this.received.write(buffer, 0, n);
					}
				}
			}
			catch (IOException ex) {
				// reset, or closed by the test
			}
			this.closed.set(true);
		}

		String received() {
			synchronized (this.received) {
				return this.received.toString(StandardCharsets.ISO_8859_1);
			}
		}

		int linesSent() {
			return this.linesSent;
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
