package io.wsgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.proxy.ConnectionRegistry;

import static org.awaitility.Awaitility.await;

/**
 * The gateway most tests talk to: one Spring context (shared by every subclass), two real
 * backends on random ports, and routes in front of them:
 * <ul>
 * <li>{@code /echo/**}, {@code /chat}, {@code /cookie}: the Reactor Netty {@link EchoBackend};</li>
 * <li>{@code /raw/**}: the wire-level {@link ScriptedBackend}, with a 2 s connect-timeout;</li>
 * <li>{@code /big/**}: the scripted backend with MaxMessageSize=600MB;</li>
 * <li>{@code /small/**}: the echo backend with MaxMessageSize=1KB;</li>
 * <li>{@code /http-echo}: the echo backend through an {@code http://} URI;</li>
 * <li>{@code /preserve}: the echo backend with PreserveHostHeader;</li>
 * <li>{@code /small-out/**}: the scripted backend with a 1KB outbound limit (name/args form);</li>
 * <li>{@code /down}: a port nothing listens on;</li>
 * <li>{@code /expiry/**}: the echo backend with ConnectionExpiry=2s; {@code /expiry-custom/**}
 * the same with 1s, 4000 "renew" (name/args form);</li>
 * <li>{@code /idle/**}: the echo backend with IdleTimeout=1s; {@code /idle-pings/**} the same
 * with pings counting as activity;</li>
 * <li>{@code /keepalive/**}: the echo backend with KeepAlive=300ms,500ms;
 * {@code /keepalive-raw/**} the scripted backend (which never answers a ping) with the same.</li>
 * </ul>
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "wsgate.websocket.close-timeout=2s",
				"spring.security.user.password=gateway-test-password" })
public abstract class GatewayTest {

	protected static final EchoBackend echo = new EchoBackend();

	protected static final ScriptedBackend scripted;

	static {
		try {
			scripted = new ScriptedBackend();
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
	static void routes(DynamicPropertyRegistry registry) {
		String echoUri = "ws://127.0.0.1:" + echo.port();
		String rawUri = "ws://127.0.0.1:" + scripted.port();
		Routes.route(registry, 0, "echo", echoUri, "/echo/**");
		Routes.route(registry, 1, "chat", echoUri, "/chat");
		Routes.route(registry, 2, "cookie", echoUri, "/cookie");
		Routes.route(registry, 3, "raw", rawUri, "/raw/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[3].metadata.connect-timeout", () -> "2000");
		Routes.route(registry, 4, "big", rawUri, "/big/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[4].filters[0]", () -> "MaxMessageSize=600MB");
		Routes.route(registry, 5, "small", echoUri, "/small/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[5].filters[0]", () -> "MaxMessageSize=1KB");
		Routes.route(registry, 6, "http-echo", "http://127.0.0.1:" + echo.port(), "/http-echo");
		Routes.route(registry, 7, "preserve", echoUri, "/preserve");
		registry.add("spring.cloud.gateway.server.webflux.routes[7].filters[0]", () -> "PreserveHostHeader");
		Routes.route(registry, 8, "down", "ws://127.0.0.1:" + Ports.unused(), "/down");
		Routes.route(registry, 9, "small-out", rawUri, "/small-out/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[9].filters[0].name", () -> "MaxMessageSize");
		registry.add("spring.cloud.gateway.server.webflux.routes[9].filters[0].args.outbound", () -> "1KB");
		Routes.route(registry, 10, "expiry", echoUri, "/expiry/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[10].filters[0]", () -> "ConnectionExpiry=2s");
		Routes.route(registry, 11, "expiry-custom", echoUri, "/expiry-custom/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[11].filters[0].name", () -> "ConnectionExpiry");
		registry.add("spring.cloud.gateway.server.webflux.routes[11].filters[0].args.expiry", () -> "1s");
		registry.add("spring.cloud.gateway.server.webflux.routes[11].filters[0].args.code", () -> "4000");
		registry.add("spring.cloud.gateway.server.webflux.routes[11].filters[0].args.reason", () -> "renew");
		Routes.route(registry, 12, "idle", echoUri, "/idle/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[12].filters[0]", () -> "IdleTimeout=1s");
		Routes.route(registry, 13, "idle-pings", echoUri, "/idle-pings/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[13].filters[0].name", () -> "IdleTimeout");
		registry.add("spring.cloud.gateway.server.webflux.routes[13].filters[0].args.timeout", () -> "1s");
		registry.add("spring.cloud.gateway.server.webflux.routes[13].filters[0].args.count-pings", () -> "true");
		Routes.route(registry, 14, "keepalive", echoUri, "/keepalive/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[14].filters[0]", () -> "KeepAlive=300ms,500ms");
		Routes.route(registry, 15, "keepalive-raw", rawUri, "/keepalive-raw/**");
		registry.add("spring.cloud.gateway.server.webflux.routes[15].filters[0]", () -> "KeepAlive=300ms,500ms");
	}

	/** A fresh id for {@code ?id=}, to find this test's connection in a backend's records. */
	protected static String newId() {
		return UUID.randomUUID().toString();
	}

	/** Each test leaves no connection behind: both TCP connections are released after a close. */
	@AfterEach
	void noConnectionLeftOpen() {
		await("connections still registered after the test").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(20))
			.until(() -> this.registry.size() == 0);
	}

}
