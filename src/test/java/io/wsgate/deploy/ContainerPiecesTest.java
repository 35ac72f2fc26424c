package io.wsgate.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.wsgate.demo.DemoBackend;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the container image runs besides the gateway, for real: the HEALTHCHECK's probe class
 * ({@code docker/HealthCheck.java}, compiled here as the image build does) passes on a live
 * gateway's liveness group and fails otherwise; the demo backend of the {@code backend} profile
 * serves the page and {@code /health} on all interfaces.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=true", "wsgate.routes.store=memory" })
class ContainerPiecesTest {

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void healthCheckPassesOnTheLivenessGroupAndFailsOtherwise() throws Exception {
		Path classes = Files.createTempDirectory("wsgate-healthcheck-");
		try {
			int compiled = ToolProvider.getSystemJavaCompiler()
				.run(null, null, null, "-d", classes.toString(), "docker/HealthCheck.java");
			assertThat(compiled).as("javac docker/HealthCheck.java").isZero();
			assertThat(probe(classes, "http://127.0.0.1:" + this.port + "/actuator/health/liveness")).isZero();
			assertThat(probe(classes, "http://127.0.0.1:" + this.port + "/actuator/health/nothing")).isEqualTo(1);
			assertThat(probe(classes, "http://127.0.0.1:1/actuator/health/liveness")).isEqualTo(1);
		}
		finally {
			try (var files = Files.walk(classes)) {
				files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
			}
		}
	}

	@Test
	void demoBackendOnAllInterfacesServesThePageAndHealth() throws Exception {
		try (DemoBackend backend = new DemoBackend("0.0.0.0", 0)) {
			HttpResponse<String> page = this.http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + "/")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(page.statusCode()).isEqualTo(200);
			assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
			assertThat(page.body()).contains("<title>wsgate demo: live updates</title>");
			HttpResponse<String> health = this.http.send(
					HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + backend.port() + "/health")).build(),
					HttpResponse.BodyHandlers.ofString());
			assertThat(health.body()).isEqualTo("ok");
		}
	}

	private static int probe(Path classes, String url) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
				"-XX:+UseSerialGC", "-Xmx32m", "-cp", classes.toString(), "HealthCheck")
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.DISCARD);
		builder.environment().put("WSGATE_HEALTH_URL", url);
		Process process = builder.start();
		assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("HealthCheck ends").isTrue();
		return process.exitValue();
	}

}
