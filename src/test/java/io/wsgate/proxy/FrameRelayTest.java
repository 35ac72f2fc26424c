package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever the two ends say to each other arrives intact, frame by frame. */
class FrameRelayTest extends GatewayTest {

	@Test
	void textAndBinaryMessagesArriveIntactWithTheirType() throws Exception {
		byte[] binary = new byte[100_000];
		ThreadLocalRandom.current().nextBytes(binary);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/frames")) {
			ws.sendText("héllo ✓");
			ws.send(true, Frame.BINARY, binary);
			Frame text = ws.readFrame();
			assertThat(text.opcode()).isEqualTo(Frame.TEXT);
			assertThat(text.text()).isEqualTo("héllo ✓");
			Frame echoed = ws.readFrame();
			assertThat(echoed.opcode()).isEqualTo(Frame.BINARY);
			assertThat(echoed.payload()).isEqualTo(binary);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void fragmentsPassAsFragmentsEvenSplitInsideUtf8() throws Exception {
		byte[] whole = "zwölf Boxkämpfer jagen Viktor".getBytes(StandardCharsets.UTF_8);
		int cut = 3; // inside "ö"
		while ((whole[cut] & 0xC0) != 0x80) {
			cut++;
		}
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/fragments")) {
			ws.send(false, Frame.TEXT, java.util.Arrays.copyOfRange(whole, 0, cut));
			ws.send(false, Frame.CONTINUATION, java.util.Arrays.copyOfRange(whole, cut, 10));
			ws.send(true, Frame.CONTINUATION, java.util.Arrays.copyOfRange(whole, 10, whole.length));
			Frame first = ws.readFrame();
			Frame second = ws.readFrame();
			Frame last = ws.readFrame();
			assertThat(first.opcode()).isEqualTo(Frame.TEXT);
			assertThat(first.fin()).isFalse();
			assertThat(second.opcode()).isEqualTo(Frame.CONTINUATION);
			assertThat(last.fin()).isTrue();
			byte[] joined = new byte[whole.length];
			System.arraycopy(first.payload(), 0, joined, 0, first.payload().length);
			System.arraycopy(second.payload(), 0, joined, first.payload().length, second.payload().length);
			System.arraycopy(last.payload(), 0, joined, first.payload().length + second.payload().length,
					last.payload().length);
			assertThat(joined).isEqualTo(whole);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void controlFramesBetweenFragmentsKeepTheirPlace() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/interleaved?id=" + id)) {
			ws.send(false, Frame.BINARY, new byte[] { 1, 2 });
			ws.send(true, Frame.PING, "mid".getBytes(StandardCharsets.UTF_8));
			ws.send(true, Frame.CONTINUATION, new byte[] { 3 });
			Frame a = ws.readFrame();
			Frame pong = ws.readFrame();
			Frame b = ws.readFrame();
			assertThat(a.opcode()).isEqualTo(Frame.BINARY);
			assertThat(pong.opcode()).isEqualTo(Frame.PONG);
			assertThat(pong.text()).isEqualTo("mid");
			assertThat(b.opcode()).isEqualTo(Frame.CONTINUATION);
			assertThat(b.payload()).containsExactly(3);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void clientPingTravelsToTheBackendWhichAnswersIt() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/ping?id=" + id)) {
			ws.send(true, Frame.PING, "are you there".getBytes(StandardCharsets.UTF_8));
			Frame pong = ws.readFrame();
			assertThat(pong.opcode()).isEqualTo(Frame.PONG);
			assertThat(pong.text()).isEqualTo("are you there");
			assertThat(echo.record(id).pings()).containsExactly("are you there");
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

	@Test
	void emptyMessagesAndLargeOnesPass() throws Exception {
		byte[] big = new byte[3 * 1024 * 1024];
		ThreadLocalRandom.current().nextBytes(big);
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/big/anything?id=" + id)) {
			ws.send(true, Frame.TEXT, new byte[0]);
			ws.send(true, Frame.BINARY, big);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
		var frames = scripted.session(id).framesWhenEnded(java.time.Duration.ofSeconds(5));
		assertThat(frames).extracting(Frame::opcode).containsExactly(Frame.TEXT, Frame.BINARY, Frame.CLOSE);
		assertThat(frames.get(0).payload()).isEmpty();
		assertThat(frames.get(1).payload()).isEqualTo(big);
	}

	@Test
	void framesSplitAcrossManyTcpWritesArriveWhole() throws Exception {
		byte[] payload = new byte[70_000];
		ThreadLocalRandom.current().nextBytes(payload);
		byte[] frame = io.wsgate.support.WireIO.encodeFrame(true, Frame.BINARY, payload, true);
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/split")) {
			// one byte at a time for the header, then uneven chunks
			int index = 0;
			for (; index < 14; index++) {
				ws.sendRaw(new byte[] { frame[index] });
			}
			while (index < frame.length) {
				int n = Math.min(frame.length - index, 1 + ThreadLocalRandom.current().nextInt(5000));
				ws.sendRaw(java.util.Arrays.copyOfRange(frame, index, index + n));
				index += n;
			}
			Frame echoed = ws.readFrame();
			assertThat(echoed.payload()).isEqualTo(payload);
			ws.sendClose(1000, "");
			ws.readUntilClose();
		}
	}

}
