package io.wsgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.proxy.ConnectionRegistry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway the management-plane tests share (one Spring context): three management users,
 * {@code root} ({@code admin}), {@code watcher} ({@code viewer}) and {@code courier}
 * ({@code publisher}), a secret
 * ({@code wsgate.secrets.test-jwt}), a file route store in a
 * temporary directory, the echo backend, and one configured route, {@code configured}
 * ({@code /configured/**}). Tests create their own routes at runtime, each with ids of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "wsgate.websocket.close-timeout=2s" })
public abstract class AdminGatewayTest {

	protected static final String ADMIN = "root";

	protected static final String ADMIN_PASSWORD = "root-password";

	protected static final String VIEWER = "watcher";

	protected static final String VIEWER_PASSWORD = "watcher-password";

	protected static final String PUBLISHER = "courier";

	protected static final String PUBLISHER_PASSWORD = "courier-password";

	protected static final EchoBackend echo = new EchoBackend();

	/** A secret routes may reference as {@code ${secret:test-jwt}} (the property {@code wsgate.secrets.test-jwt}). */
	protected static final String REFERENCED_SECRET = "referenced-hmac-secret-of-32-bytes-or-more";

	protected static final Path storeFile;

	static {
		try {
			storeFile = Files.createTempDirectory("wsgate-admin-test").resolve("routes.json");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@LocalServerPort
	protected int port;

	@Autowired
	protected ConnectionRegistry registry;

	@DynamicPropertySource
	static void management(DynamicPropertyRegistry registry) {
		BCryptPasswordEncoder bcrypt = new BCryptPasswordEncoder(4); // cheap rounds: tests only
		String adminHash = "{bcrypt}" + bcrypt.encode(ADMIN_PASSWORD);
		String viewerHash = "{bcrypt}" + bcrypt.encode(VIEWER_PASSWORD);
		String publisherHash = "{bcrypt}" + bcrypt.encode(PUBLISHER_PASSWORD);
		registry.add("wsgate.admin.users." + ADMIN + ".password", () -> adminHash);
		registry.add("wsgate.admin.users." + ADMIN + ".role", () -> "admin");
		registry.add("wsgate.admin.users." + VIEWER + ".password", () -> viewerHash);
		registry.add("wsgate.admin.users." + VIEWER + ".role", () -> "viewer");
		registry.add("wsgate.admin.users." + PUBLISHER + ".password", () -> publisherHash);
		registry.add("wsgate.admin.users." + PUBLISHER + ".role", () -> "publisher");
		registry.add("wsgate.secrets.test-jwt", () -> REFERENCED_SECRET);
		registry.add("wsgate.routes.store", () -> "file");
		registry.add("wsgate.routes.file.path", storeFile::toString);
		registry.add("spring.cloud.gateway.server.webflux.routes[0].id", () -> "configured");
		registry.add("spring.cloud.gateway.server.webflux.routes[0].uri", () -> echoUri());
		registry.add("spring.cloud.gateway.server.webflux.routes[0].predicates[0]", () -> "Path=/configured/**");
	}

	protected static String echoUri() {
		return "ws://127.0.0.1:" + echo.port();
	}

	protected Management admin() {
		return Management.as(this.port, ADMIN, ADMIN_PASSWORD);
	}

	protected Management viewer() {
		return Management.as(this.port, VIEWER, VIEWER_PASSWORD);
	}

	protected Management publisher() {
		return Management.as(this.port, PUBLISHER, PUBLISHER_PASSWORD);
	}

	protected Management anonymous() {
		return Management.anonymous(this.port);
	}

	/** A route definition as the route API takes it: one Path predicate, filters as given (JSON). */
	protected static String route(String uri, String path, String... filters) {
		return "{\"uri\":\"" + uri + "\",\"predicates\":[\"Path=" + path + "\"],\"filters\":["
				+ String.join(",", filters) + "]}";
	}

	/** Whether an upgrade to {@code path} gets 101 within a few seconds (routes refresh asynchronously). */
	protected boolean upgrades(String path) throws InterruptedException {
		return Management.eventually(Duration.ofSeconds(3), () -> status(path) == 101);
	}

	/** Whether an upgrade to {@code path} stops getting 101 within a few seconds. */
	protected boolean stopsUpgrading(String path) throws InterruptedException {
		return Management.eventually(Duration.ofSeconds(3), () -> status(path) != 101);
	}

	protected int status(String path) {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, path)) {
			if (ws.status() == 101) {
				ws.sendClose(1000, "");
				ws.readUntilClose();
			}
			return ws.status();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@AfterEach
	void noConnectionLeftOpen() throws InterruptedException {
		assertThat(Management.eventually(Duration.ofSeconds(5), () -> this.registry.size() == 0))
			.as("connections still registered after the test")
			.isTrue();
	}

}
