package io.wsgate.proxy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A route for every path ({@code Path=/**}) beside the management plane on the same port.
 * WebSocket upgrades reach the route lookup ahead of the actuator's mappings
 * ({@link UpgradeRouteMapping}) and skip Spring Security, which sees management requests only:
 * neither may let the route take a management path, or let an upgrade request past the
 * management plane's security.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.password=catch-all-password" })
class CatchAllRouteTest {

	private static final EchoBackend echo = new EchoBackend();

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		Routes.route(registry, 0, "everything", "ws://127.0.0.1:" + echo.port(), "/**");
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void anUpgradeToAnyOtherPathIsProxied() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/any/path?id=catch-all-1")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("through the catch-all route");
			assertThat(ws.readFrame().text()).isEqualTo("through the catch-all route");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void anUpgradeRequestToAnOpenEndpointIsAnsweredByTheActuatorNotTheRoute() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/actuator/health")) {
			assertThat(ws.status()).isEqualTo(200);
			assertThat(ws.body()).contains("\"status\":\"UP\"");
		}
	}

	@Test
	void anUpgradeRequestToAGuardedEndpointStillNeedsCredentials() throws Exception {
		for (String path : new String[] { "/actuator/wssessions", "/actuator/gateway/routes", "/actuator" }) {
			try (RawWebSocket ws = RawWebSocket.connect(this.port, path)) {
				assertThat(ws.status()).as(path).isIn(401, 404).isNotEqualTo(101);
			}
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/actuator/wssessions")) {
			assertThat(ws.status()).isEqualTo(401);
		}
	}

}
