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

	private static Frame decode(ByteBuf buf) throws Exception {
		try {
			return WireIO.readFrame(new ByteArrayInputStream(ByteBufUtil.getBytes(buf)));
		}
		finally {
			buf.release();
		}
	}

}
