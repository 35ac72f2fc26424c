package io.wsgate.proxy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.netty.handler.ssl.SslContext;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;

import io.wsgate.support.Certificates;
import io.wsgate.support.TlsEchoBackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TLS context toward backends: verifying by default, anything goes with insecure-skip-verify. */
class BackendTlsContextTest {

	@Test
	void aSelfSignedBackendIsRefusedUnlessVerificationIsSkipped() throws Exception {
		Path dir = Files.createTempDirectory("wsgate-backend-tls-");
		try (TlsEchoBackend backend = new TlsEchoBackend(Certificates.selfSigned(dir.resolve("b.p12"), "b"), null)) {
			assertThatThrownBy(() -> upgrade(BackendConnector.sslContext(null, false), backend.port()))
				.hasStackTraceContaining("PKIX");
			assertThat(upgrade(BackendConnector.sslContext(null, true), backend.port())).isEqualTo("101");
		}
	}

	private static String upgrade(SslContext context, int port) {
		return HttpClient.create()
			.secure(spec -> spec.sslContext(context))
			.websocket()
			.uri("wss://localhost:" + port + "/")
			.handle((in, out) -> out.sendClose().then(Mono.just("101")))
			.next()
			.block(Duration.ofSeconds(10));
	}

}
