package io.wsgate.tls;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.Certificates;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.Ports;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;
import io.wsgate.support.TlsEchoBackend;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * wss:// end to end: the gateway terminates TLS on its main port (an SSL bundle that reloads
 * when its key store file changes) beside a plain listener that redirects HTTP to HTTPS, and
 * speaks TLS to backends verified against a trust bundle, showing its client certificate to a
 * backend that requires one. Certificates are made in the test with keytool.
 */
class TlsTest extends GatewayTest {

	static final Path dir;

	static final Path serverKeys;


	static final Path gatewayClientKeys; // the gateway's client certificate toward backends

	static final Path backendTrust; // what the gateway trusts: the TLS backend's certificate

	static final TlsEchoBackend tlsBackend; // requires the gateway's client certificate

	static final TlsEchoBackend untrustedBackend;

	static final int plainPort = Ports.unused();

	static {
		try {
			dir = Files.createTempDirectory("wsgate-tls-");
			serverKeys = Certificates.selfSigned(dir.resolve("server.p12"), "server");
			gatewayClientKeys = Certificates.selfSigned(dir.resolve("gateway-client.p12"), "gateway");
			Path backendKeys = Certificates.selfSigned(dir.resolve("backend.p12"), "backend");
			backendTrust = Certificates.trustStore(dir.resolve("backend-trust.p12"), backendKeys);
			tlsBackend = new TlsEchoBackend(backendKeys,
					Certificates.trustStore(dir.resolve("gateway-client-trust.p12"), gatewayClientKeys));
			untrustedBackend = new TlsEchoBackend(Certificates.selfSigned(dir.resolve("stranger.p12"), "stranger"),
					null);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@DynamicPropertySource
	static void tls(DynamicPropertyRegistry registry) {
		String server = "spring.ssl.bundle.jks.server.";
		registry.add(server + "keystore.location", () -> "file:" + serverKeys);
		registry.add(server + "keystore.password", () -> Certificates.PASSWORD);
		registry.add(server + "keystore.type", () -> "PKCS12");
		registry.add(server + "reload-on-update", () -> "true");
		registry.add("spring.ssl.bundle.watch.file.quiet-period", () -> "200ms");
		registry.add("server.ssl.bundle", () -> "server");
		registry.add("wsgate.server.http.port", () -> Integer.toString(plainPort));
		registry.add("wsgate.server.http.redirect-to-https", () -> "true");
		String backend = "spring.ssl.bundle.jks.backend.";
		registry.add(backend + "keystore.location", () -> "file:" + gatewayClientKeys);
		registry.add(backend + "keystore.password", () -> Certificates.PASSWORD);
		registry.add(backend + "keystore.type", () -> "PKCS12");
		registry.add(backend + "truststore.location", () -> "file:" + backendTrust);
		registry.add(backend + "truststore.password", () -> Certificates.PASSWORD);
		registry.add(backend + "truststore.type", () -> "PKCS12");
		registry.add("wsgate.backend-tls.bundle", () -> "backend");
		Routes.route(registry, 16, "tls-backend", "wss://localhost:" + tlsBackend.port(), "/tls-backend/**");
		Routes.route(registry, 17, "untrusted", "wss://localhost:" + untrustedBackend.port(), "/untrusted/**");
	}

	@AfterAll
	static void stopBackends() {
		tlsBackend.close();
		untrustedBackend.close();
	}

	@Test
	void wssClientThroughTlsTerminationToAPlainBackend() throws Exception {
		WebSocket ws = wss("/echo/tls");
		assertThat(echo(ws, "over TLS")).isEqualTo("over TLS");
		ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
	}

	@Test
	void plainClientToATlsBackendThatRequiresTheGatewaysClientCertificate() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(plainPort, "/tls-backend/x")) {
			assertThat(ws.status()).as(ws.body()).isEqualTo(101);
			assertThat(tlsBackend.lastServerName()).as("SNI the gateway sent").isEqualTo("localhost");
			ws.sendText("to wss");
			assertThat(ws.readFrame().text()).isEqualTo("to wss");
			ws.sendClose(1000, "");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void aBackendCertificateNobodyTrustsIs502BeforeAnyUpgrade() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(plainPort, "/untrusted/x")) {
			assertThat(ws.status()).isEqualTo(502);
			assertThat(ws.body()).contains("TLS handshake with backend failed");
		}
	}

	@Test
	void thePlainListenerRedirectsHttpButServesWebSockets() throws Exception {
		HttpResponse<String> response = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plainPort + "/actuator/health?x=1")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(308);
		assertThat(response.headers().firstValue("Location"))
			.hasValue("https://127.0.0.1:" + this.port + "/actuator/health?x=1");
		try (RawWebSocket ws = RawWebSocket.connect(plainPort, "/echo/plain")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void httpsAnswersCarryHsts() throws Exception {
		HttpResponse<String> response = HttpClient.newBuilder()
			.sslContext(clientContext())
			.build()
			.send(HttpRequest.newBuilder(URI.create("https://localhost:" + this.port + "/actuator/health")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
	}

	@Test
	void aNewCertificateIsServedWhileAnOpenConnectionGoesOn() throws Exception {
		WebSocket open = wss("/echo/rotation");
		assertThat(echo(open, "before")).isEqualTo("before");
		X509Certificate before = presented();
		Certificates.selfSigned(serverKeys, "server");
		X509Certificate after = before;
		long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
		while (after.getSerialNumber().equals(before.getSerialNumber()) && System.nanoTime() < deadline) {
			Thread.sleep(200);
			after = presented();
		}
		assertThat(after.getSerialNumber()).as("the certificate served after the key store changed")
			.isNotEqualTo(before.getSerialNumber());
		assertThat(echo(open, "after")).isEqualTo("after");
		open.sendClose(1000, "").get(5, TimeUnit.SECONDS);
	}

	/** Trusting the gateway's certificate as it is now (the rotation test replaces it). */
	private static SSLContext clientContext() throws Exception {
		return Certificates.clientContext(Certificates.trustStore(Files.createTempFile(dir, "trust", ".p12"), serverKeys));
	}

	/** The certificate the gateway's TLS listener presents to a new connection. */
	private X509Certificate presented() throws Exception {
		SSLContext trustAll = SSLContext.getInstance("TLS");
		trustAll.init(null, new TrustManager[] { new X509TrustManager() {
			@Override
			public void checkClientTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public void checkServerTrusted(X509Certificate[] chain, String authType) {
			}

			@Override
			public X509Certificate[] getAcceptedIssuers() {
				return new X509Certificate[0];
			}
		} }, null);
		try (SSLSocket socket = (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", this.port)) {
			socket.startHandshake();
			return (X509Certificate) socket.getSession().getPeerCertificates()[0];
		}
	}

	private WebSocket wss(String path) throws Exception {
		return HttpClient.newBuilder()
			.sslContext(clientContext())
			.build()
			.newWebSocketBuilder()
			.buildAsync(URI.create("wss://localhost:" + this.port + path), new Collector())
			.get(10, TimeUnit.SECONDS);
	}

	private static String echo(WebSocket ws, String text) throws Exception {
		Collector collector = (Collector) listenerOf(ws);
		CompletableFuture<String> next = collector.next();
		ws.sendText(text, true).get(5, TimeUnit.SECONDS);
		return next.get(5, TimeUnit.SECONDS);
	}

	private static final java.util.Map<WebSocket, Collector> listeners = new java.util.concurrent.ConcurrentHashMap<>();

	private static WebSocket.Listener listenerOf(WebSocket ws) {
		return listeners.get(ws);
	}

	/** Hands each text message to whoever waits for the next one. */
	private static final class Collector implements WebSocket.Listener {

		private volatile CompletableFuture<String> next = new CompletableFuture<>();

		private final StringBuilder text = new StringBuilder();

		CompletableFuture<String> next() {
			this.next = new CompletableFuture<>();
			return this.next;
		}

		@Override
		public void onOpen(WebSocket webSocket) {
			listeners.put(webSocket, this);
			webSocket.request(1);
		}

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				this.next.complete(this.text.toString());
				this.text.setLength(0);
			}
			webSocket.request(1);
			return null;
		}

	}

}
