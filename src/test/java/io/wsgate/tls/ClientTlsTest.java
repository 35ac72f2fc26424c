package io.wsgate.tls;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.Certificates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The versions and cipher suites clients get on the main server by default: TLS 1.3 and 1.2
 * with ECDHE and AEAD only. The server has an RSA key, so the suites Netty accepts by default
 * and the gateway must not (RSA key exchange, CBC with SHA-1) could be negotiated with it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.password=test-password",
				"server.ssl.bundle=server" })
class ClientTlsTest {

	static final Path serverKeys;

	static final Path trust;

	static {
		try {
			Path dir = Files.createTempDirectory("wsgate-client-tls-");
			serverKeys = Certificates.selfSignedRsa(dir.resolve("server.p12"), "server");
			trust = Certificates.trustStore(dir.resolve("trust.p12"), serverKeys);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void tls(DynamicPropertyRegistry registry) {
		String server = "spring.ssl.bundle.jks.server.";
		registry.add(server + "keystore.location", () -> "file:" + serverKeys);
		registry.add(server + "keystore.password", () -> Certificates.PASSWORD);
		registry.add(server + "keystore.type", () -> "PKCS12");
	}

	@Test
	void rsaKeyExchangeIsRefused() {
		assertThatExceptionOfType(SSLHandshakeException.class)
			.isThrownBy(() -> handshake("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256"));
		assertThatExceptionOfType(SSLHandshakeException.class)
			.isThrownBy(() -> handshake("TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA"));
	}

	@Test
	void cbcWithSha1IsRefusedEvenWithEcdhe() {
		assertThatExceptionOfType(SSLHandshakeException.class)
			.isThrownBy(() -> handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"));
	}

	@Test
	void ecdheWithAesGcmOrChaChaOverTls12IsAccepted() throws Exception {
		assertThat(handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"))
			.isEqualTo("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
		assertThat(handshake("TLSv1.2", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
			.isEqualTo("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
	}

	@Test
	void tls13IsAccepted() throws Exception {
		assertThat(handshake("TLSv1.3", "TLS_AES_128_GCM_SHA256")).isEqualTo("TLS_AES_128_GCM_SHA256");
	}

	/** A handshake offering exactly this version and suite; the suite agreed on. */
	private String handshake(String protocol, String suite) throws Exception {
		SSLContext context = Certificates.clientContext(trust);
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("localhost", this.port)) {
			socket.setEnabledProtocols(new String[] { protocol });
			socket.setEnabledCipherSuites(new String[] { suite });
			socket.startHandshake();
			return socket.getSession().getCipherSuite();
		}
	}

}
