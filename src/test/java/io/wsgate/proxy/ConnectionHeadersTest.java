package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The headers a client names in {@code Connection} are the gateway's alone: they are removed
 * as the request arrives, so a client cannot use them to remove what the gateway adds (an
 * identity header of {@code WebSocketAuth}).
 */
class ConnectionHeadersTest extends GatewayTest {

	static final String KEY = "connection-headers-test-key";

	@DynamicPropertySource
	static void authRoute(DynamicPropertyRegistry registry) throws Exception {
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
		Routes.route(registry, 16, "keyed", "ws://127.0.0.1:" + echo.port(), "/keyed/**");
		Routes.filter(registry, 16, 0, "WebSocketAuth", Map.of("api-keys.keys[0].id", "dashboard",
				"api-keys.keys[0].hash", hash, "identity-headers.key_id", "X-Auth-Key-Id"));
	}

	@Test
	void aClientCannotRemoveTheIdentityHeaderTheGatewayAdds() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/keyed/x?id=" + id,
				Map.of("X-API-Key", KEY, "Connection", "Upgrade, X-Auth-Key-Id"))) {
			assertThat(ws.status()).as(ws.body()).isEqualTo(101);
			EchoBackend.Record record = echo.record(id);
			assertThat(record.headers().getAll("X-Auth-Key-Id")).containsExactly("dashboard");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void aHeaderTheClientNamesInConnectionDoesNotReachTheBackend() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/x?id=" + id,
				Map.of("Connection", "Upgrade, X-Hop-Secret", "X-Hop-Secret", "for the gateway", "X-Kept", "yes"))) {
			assertThat(ws.status()).isEqualTo(101);
			EchoBackend.Record record = echo.record(id);
			assertThat(record.headers().contains("X-Hop-Secret")).isFalse();
			assertThat(record.headers().get("X-Kept")).isEqualTo("yes");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

}
