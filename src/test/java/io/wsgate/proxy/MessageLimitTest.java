package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

import org.springframework.util.unit.DataSize;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Oversized messages end the connection with 1009 to the sender and 1001 to the other side. */
class MessageLimitTest extends GatewayTest {

	private static final Duration SOON = Duration.ofSeconds(2);

	@Test
	void oversizedClientMessageGets1009NamingTheLimitAndNeverReachesTheBackend() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/small/limit?id=" + id)) {
			ws.sendText("fine");
			assertThat(ws.readFrame().text()).isEqualTo("fine");
			ws.send(true, Frame.BINARY, new byte[1025]);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
			assertThat(close.closeReason()).isEqualTo("message too big: limit is 1024 bytes");
			ws.sendClose(1009, "");
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
		}
		WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(SOON);
		assertThat(backendSaw.code()).isEqualTo(1001);
	}

	@Test
	void messageAtTheLimitPasses() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/small/at-limit")) {
			ws.send(true, Frame.BINARY, new byte[1024]);
			assertThat(ws.readFrame().payload()).hasSize(1024);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void fragmentsCountTogetherTowardTheLimit() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/small/fragments?id=" + id)) {
			ws.send(false, Frame.BINARY, new byte[600]);
			ws.send(true, Frame.CONTINUATION, new byte[600]);
			Frame first = ws.readFrame(); // the first fragment was within the limit and went through
			assertThat(first.payload()).hasSize(600);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
			ws.sendClose(1009, "");
		}
		assertThat(echo.record(id).closeStatus(SOON).code()).isEqualTo(1001);
	}

	@Test
	void defaultLimitOf1MiBAppliesWithoutAFilter() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/default-limit")) {
			ws.send(true, Frame.BINARY, new byte[1024 * 1024]);
			assertThat(ws.readFrame().payload()).hasSize(1024 * 1024);
			ws.send(true, Frame.BINARY, new byte[1024 * 1024 + 1]);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
			assertThat(close.closeReason()).contains("1048576");
			ws.sendClose(1009, "");
		}
	}

	@Test
	void oversizedBackendMessageGivesTheBackend1009AndTheClient1001() throws Exception {
		String id = newId();
		// the scripted backend's big-out sends 2 KiB; this route allows 1 KiB outbound
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/small-out/big-out?id=" + id)) {
			Frame close = ws.readFrame();
			assertThat(close.closeCode()).isEqualTo(1001);
			ws.sendClose(1001, "");
		}
		List<Frame> backendSaw = scripted.session(id).framesWhenEnded(SOON);
		assertThat(backendSaw).singleElement().satisfies(frame -> {
			assertThat(frame.closeCode()).isEqualTo(1009);
			assertThat(frame.closeReason()).isEqualTo("message too big: limit is 1024 bytes");
		});
	}

	@Test
	void filterRejectsZeroAndNamesTheArgument() {
		var factory = new MaxMessageSizeGatewayFilterFactory(new WebSocketProperties());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> factory.apply(new MaxMessageSizeGatewayFilterFactory.Config().setSize(DataSize.ofBytes(0))))
			.withMessageContaining("MaxMessageSize inbound must be -1 (unlimited) or a positive size");
	}

	@Test
	void filterDescribesItsLimitsForOperators() {
		var factory = new MaxMessageSizeGatewayFilterFactory(new WebSocketProperties());
		var filter = factory.apply(new MaxMessageSizeGatewayFilterFactory.Config().setSize(DataSize.ofKilobytes(2))
			.setOutbound(DataSize.ofBytes(-1)));
		assertThat(filter).hasToString("MaxMessageSize[inbound=2048B, outbound=unlimited]");
	}

}
