package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.ScriptedBackend;

import static org.assertj.core.api.Assertions.assertThat;

/** Close codes and reasons cross unchanged, and every close ends both TCP connections. */
class CloseTest extends GatewayTest {

	private static final Duration SOON = Duration.ofSeconds(1);

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4321,
			4999 })
	void backendCloseCodeAndReasonReachTheClientUnchanged(int code) throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/close")) {
			ws.sendText("close:" + code + ":reason " + code);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(code);
			assertThat(close.closeReason()).isEqualTo("reason " + code);
			ws.sendClose(code, "");
			assertThat(ws.closedByPeerWithin(SOON)).as("client TCP ended after the handshake").isTrue();
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999 })
	void clientCloseCodeAndReasonReachTheBackendUnchanged(int code) throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/close?id=" + id)) {
			ws.sendClose(code, "bye " + code);
			Frame answer = ws.readUntilClose();
			WebSocketCloseStatus seen = echo.record(id).closeStatus(SOON);
			assertThat(seen.code()).isEqualTo(code);
			assertThat(seen.reasonText()).isEqualTo("bye " + code);
			assertThat(answer.closeCode()).isEqualTo(code); // the backend's echo came back
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
		}
	}

	@Test
	void emptyCloseFromTheBackendArrivesEmpty() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/empty-close?id=" + id)) {
			Frame close = ws.readFrame();
			assertThat(close.opcode()).isEqualTo(Frame.CLOSE);
			assertThat(close.payload()).isEmpty();
			ws.send(true, Frame.CLOSE, new byte[0]);
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
			List<Frame> backendSaw = scripted.session(id).framesWhenEnded(SOON);
			assertThat(backendSaw).hasSize(1);
			assertThat(backendSaw.get(0).opcode()).isEqualTo(Frame.CLOSE);
			assertThat(backendSaw.get(0).payload()).isEmpty();
		}
	}

	@Test
	void emptyCloseFromTheClientArrivesEmpty() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/record?id=" + id)) {
			ws.send(true, Frame.CLOSE, new byte[0]);
			Frame answer = ws.readFrame();
			assertThat(answer.opcode()).isEqualTo(Frame.CLOSE);
			assertThat(answer.payload()).isEmpty();
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
			List<Frame> backendSaw = scripted.session(id).framesWhenEnded(SOON);
			assertThat(backendSaw).singleElement().satisfies(frame -> assertThat(frame.payload()).isEmpty());
		}
	}

	@Test
	void backendThatVanishesGivesTheClient1011() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/reset?id=" + newId())) {
			Frame close = ws.readFrame();
			assertThat(close.closeCode()).isEqualTo(1011);
			assertThat(close.closeReason()).isEqualTo("backend connection lost");
			ws.sendClose(1011, "");
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
		}
	}

	@Test
	void clientThatVanishesGivesTheBackend1001() throws Exception {
		String id = newId();
		RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/vanish?id=" + id);
		ws.sendText("x");
		ws.readFrame();
		ws.reset();
		WebSocketCloseStatus seen = echo.record(id).closeStatus(SOON);
		assertThat(seen.code()).isEqualTo(1001);
		assertThat(seen.reasonText()).isEqualTo("client connection lost");
	}

	@Test
	void backendEndsItsTcpConnectionAfterAClientInitiatedClose() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/record?id=" + id)) {
			ws.sendText("one");
			ws.sendClose(4000, "bye");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(4000);
			assertThat(ws.closedByPeerWithin(SOON)).isTrue();
			ScriptedBackend.Session session = scripted.session(id);
			List<Frame> frames = session.framesWhenEnded(SOON);
			assertThat(frames).extracting(Frame::opcode).containsExactly(Frame.TEXT, Frame.CLOSE);
			assertThat(frames.get(1).closeCode()).isEqualTo(4000);
			assertThat(frames.get(1).closeReason()).isEqualTo("bye");
		}
	}

	@Test
	void clientThatNeverAnswersACloseIsDisconnectedAfterTheCloseTimeout() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/slow-close")) {
			ws.sendText("close:4001:going");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(4001);
			// no answer: the gateway drops the client after close-timeout (2s in tests)
			assertThat(ws.closedByPeerWithin(Duration.ofSeconds(4))).isTrue();
		}
	}

	@Test
	void backendThatSendsAMaskedFrameIsAProtocolErrorForBothSides() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/masked?id=" + id)) {
			Frame close = ws.readFrame();
			assertThat(close.closeCode()).isEqualTo(1014);
			List<Frame> backendSaw = scripted.session(id).framesWhenEnded(Duration.ofSeconds(3));
			assertThat(backendSaw).singleElement().satisfies(frame -> assertThat(frame.closeCode()).isEqualTo(1002));
			ws.sendClose(1014, "");
		}
	}

	@Test
	void clientThatSendsAnUnmaskedFrameGets1002() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/record?id=" + id)) {
			ws.sendRaw(io.wsgate.support.WireIO.encodeFrame(true, Frame.TEXT, new byte[] { 'x' }, false));
			Frame close = ws.readFrame();
			assertThat(close.closeCode()).isEqualTo(1002);
			assertThat(close.closeReason()).isEqualTo("unmasked frame from client");
			List<Frame> backendSaw = scripted.session(id).framesWhenEnded(Duration.ofSeconds(3));
			assertThat(backendSaw).singleElement().satisfies(frame -> assertThat(frame.closeCode()).isEqualTo(1001));
		}
	}

}
