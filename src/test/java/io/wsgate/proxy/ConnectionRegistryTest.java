package io.wsgate.proxy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every live connection is listed while it lives, with what operators need to see. */
class ConnectionRegistryTest extends GatewayTest {

	@Test
	void liveConnectionIsListedWithRouteAddressesAndTrafficThenRemoved() throws Exception {
		Instant before = Instant.now();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/chat?secret=hunter2",
				java.util.Map.of("Sec-WebSocket-Protocol", "chat"))) {
			ws.sendText("12345");
			ws.readFrame();
			assertThat(this.registry.connections()).hasSize(1);
			ProxiedConnection connection = this.registry.connections().iterator().next();
			assertThat(connection.routeId()).isEqualTo("chat");
			assertThat(connection.clientAddress().getPort()).isEqualTo(ws.localPort());
			assertThat(connection.backend().toString()).isEqualTo("ws://127.0.0.1:" + echo.port() + "/chat");
			assertThat(connection.subprotocol()).isEqualTo("chat");
			assertThat(connection.startedAt()).isBetween(before, Instant.now());
			assertThat(connection.inbound().frames()).isEqualTo(1);
			assertThat(connection.inbound().bytes()).isEqualTo(2 + 4 + 5); // header, mask, payload
			assertThat(connection.outbound().frames()).isEqualTo(1);
			assertThat(connection.outbound().bytes()).isEqualTo(2 + 5);
			assertThat(this.registry.find(connection.id())).containsSame(connection);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10)).until(() -> this.registry.size() == 0);
		assertThat(this.registry.connections()).isEmpty();
	}

	@Test
	void gatewayCanCloseAConnectionWithItsOwnCodes() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/admin-close?id=" + id)) {
			ws.sendText("hi");
			ws.readFrame();
			ProxiedConnection connection = this.registry.connections().iterator().next();
			connection.close("operator", 4100, "closed by operator", 1001, "closed by operator");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4100);
			assertThat(close.closeReason()).isEqualTo("closed by operator");
			ws.sendClose(4100, "");
			assertThat(ws.closedByPeerWithin(Duration.ofSeconds(1))).isTrue();
			assertThat(connection.closeStatus().initiator()).isEqualTo(CloseStatus.Initiator.GATEWAY);
		}
		assertThat(echo.record(id).closeStatus(Duration.ofSeconds(1)).code()).isEqualTo(1001);
	}

}
