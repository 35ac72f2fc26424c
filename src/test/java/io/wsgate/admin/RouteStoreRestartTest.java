package io.wsgate.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The file route store across restarts of a real gateway process: a route created through
 * the API is served again after a restart, and a store file that a crash truncated stops the
 * next startup with a message that names it, the file left as it was. The management user is
 * Spring Boot's {@code spring.security.user}, the administrator when no
 * {@code wsgate.admin.users} are configured.
 */
class RouteStoreRestartTest {

	private static final EchoBackend echo = new EchoBackend();

	@TempDir
	Path directory;

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void runtimeRouteIsServedAgainAfterARestartAndATruncatedStoreStopsStartup() throws Exception {
		Path store = this.directory.resolve("state").resolve("routes.json");
		String[] args = { "--wsgate.routes.store=file", "--wsgate.routes.file.path=" + store,
				"--spring.security.user.name=ops", "--spring.security.user.password=ops-secret",
				"--wsgate.websocket.drain-timeout=1s" };
		String route = "{\"uri\":\"ws://127.0.0.1:" + echo.port() + "\",\"predicates\":[\"Path=/kept/**\"]}";

		try (GatewayProcess first = GatewayProcess.start(args)) {
			int port = first.port();
			assertThat(Management.anonymous(port).post("/actuator/gateway/routes/kept", route).statusCode())
				.isEqualTo(401);
			assertThat(Management.as(port, "ops", "ops-secret").post("/actuator/gateway/routes/kept", route).statusCode())
				.isEqualTo(201);
			assertThat(echoes(port)).isTrue();
		}
		assertThat(Files.readString(store)).contains("\"kept\"");

		try (GatewayProcess second = GatewayProcess.start(args)) {
			assertThat(echoes(second.port())).as("the route created before the restart").isTrue();
			assertThat(second.output()).contains("1 runtime route(s) [kept]");
		}

		// a crash in the middle of a write that was not atomic would leave half a document
		byte[] whole = Files.readAllBytes(store);
		byte[] half = Arrays.copyOf(whole, whole.length / 2);
		Files.write(store, half);
		GatewayProcess third = GatewayProcess.start(args);
		try {
			assertThat(third.exitCode()).isNotZero();
			assertThat(third.output()).contains("route store file " + store.toAbsolutePath() + " is corrupt");
			assertThat(Files.readAllBytes(store)).as("the file is left as it was").isEqualTo(half);
		}
		finally {
			third.close();
		}
	}

	/** Whether the gateway on {@code port} relays /kept/ to the echo backend, within a few seconds. */
	private static boolean echoes(int port) throws InterruptedException {
		return Management.eventually(Duration.ofSeconds(5), () -> {
			try (RawWebSocket ws = RawWebSocket.connect(port, "/kept/x")) {
				if (ws.status() != 101) {
					return false;
				}
				ws.sendText("still here");
				boolean echoed = "still here".equals(ws.readFrame().text());
				ws.sendClose(1000, "");
				ws.readUntilClose();
				return echoed;
			}
			catch (java.io.IOException ex) {
				return false;
			}
		});
	}

}
