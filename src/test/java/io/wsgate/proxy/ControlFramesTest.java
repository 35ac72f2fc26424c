package io.wsgate.proxy;

import java.io.ByteArrayInputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import io.wsgate.support.Frame;
import io.wsgate.support.WireIO;

import static org.assertj.core.api.Assertions.assertThat;

class ControlFramesTest {

	@Test
	void maskedCloseFrameDecodesToTheCodeAndReason() throws Exception {
		Frame frame = decode(ControlFrames.close(UnpooledByteBufAllocator.DEFAULT, 4321, "tschüss", true));
		assertThat(frame.opcode()).isEqualTo(Frame.CLOSE);
		assertThat(frame.closeCode()).isEqualTo(4321);
		assertThat(frame.closeReason()).isEqualTo("tschüss");
	}

	@Test
	void noStatusBecomesAnEmptyCloseFrameNeverTheCode1005() throws Exception {
		assertThat(decode(ControlFrames.close(UnpooledByteBufAllocator.DEFAULT, 1005, "x", false)).payload()).isEmpty();
		assertThat(decode(ControlFrames.close(UnpooledByteBufAllocator.DEFAULT, 1005, "x", true)).payload()).isEmpty();
	}

	@Test
	void longReasonIsCutAtACharacterBoundaryToFitTheFrame() throws Exception {
		String reason = "é".repeat(100); // 200 bytes of UTF-8
		Frame frame = decode(ControlFrames.close(UnpooledByteBufAllocator.DEFAULT, 1008, reason, false));
		assertThat(frame.payload().length).isLessThanOrEqualTo(125);
		assertThat(frame.closeReason()).isEqualTo("é".repeat(61));
	}

	@Test
	void pingCarriesItsEightBytePayloadMaskedOrNot() throws Exception {
		long payload = 0x0123456789ABCDEFL;
		for (boolean masked : new boolean[] { true, false }) {
			ByteBuf encoded = ControlFrames.ping(UnpooledByteBufAllocator.DEFAULT, payload, masked);
			assertThat(encoded.getByte(1) & 0x80).isEqualTo(masked ? 0x80 : 0);
			Frame frame = decode(encoded);
			assertThat(frame.opcode()).isEqualTo(Frame.PING);
			assertThat(frame.fin()).isTrue();
			assertThat(java.nio.ByteBuffer.wrap(frame.payload()).getLong()).isEqualTo(payload);
		}
	}

	private static Frame decode(ByteBuf buf) throws Exception {
		try {
			return WireIO.readFrame(new ByteArrayInputStream(ByteBufUtil.getBytes(buf)));
		}
		finally {
			buf.release();
		}
	}

}
