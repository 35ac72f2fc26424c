package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FramePreviewTest {

	private final List<String> seen = new ArrayList<>();

	private final FrameTap tap = (from, opcode, fin, length, preview, previewLength) -> this.seen
		.add(from.label() + " " + opcode + " " + fin + " " + length + " "
				+ new String(Arrays.copyOf(preview, previewLength), StandardCharsets.UTF_8));

	@Test
	void maskedPayloadSplitAcrossBuffersIsShownUnmaskedUpToThePreviewSize() {
		FrameHeader header = header(true, 0x81, "hello, world".length());
		FramePreview preview = new FramePreview(this.tap, Side.CLIENT, header, 7);
		byte[] masked = mask("hello, world".getBytes(StandardCharsets.UTF_8));
		preview.start(masked.length);
		long left = masked.length;
		for (int[] cut : new int[][] { { 0, 1 }, { 1, 3 }, { 4, 5 }, { 9, 3 } }) {
			ByteBuf in = Unpooled.wrappedBuffer(masked, cut[0], cut[1]);
			preview.payload(in, in.readerIndex(), cut[1], left);
			left -= cut[1];
		}
		preview.frameEnd();
		assertThat(this.seen).containsExactly("client 1 true 12 hello, ");
	}

	@Test
	void eachFrameStartsItsPreviewAgain() {
		FrameHeader header = header(false, 0x02, 3);
		FramePreview preview = new FramePreview(this.tap, Side.BACKEND, header, 16);
		preview.start(3);
		preview.payload(Unpooled.wrappedBuffer("abc".getBytes()), 0, 3, 3);
		preview.frameEnd();
		preview.start(0);
		preview.frameEnd();
		assertThat(this.seen).containsExactly("backend 2 false 3 abc", "backend 2 false 0 ");
	}

	@Test
	void previewOfNoBytesShowsOnlyTheFrame() {
		FrameHeader header = header(false, 0x81, 3);
		FramePreview preview = new FramePreview(this.tap, Side.BACKEND, header, 0);
		preview.start(3);
		preview.payload(Unpooled.wrappedBuffer("abc".getBytes()), 0, 3, 3);
		preview.frameEnd();
		assertThat(this.seen).containsExactly("backend 1 true 3 ");
	}

	private static FrameHeader header(boolean masked, int b0, int length) {
		FrameHeader header = new FrameHeader(masked);
		for (byte b : FrameHeaderTest.head(b0, masked, length)) {
			header.add(b);
		}
		assertThat(header.decode(false)).isEqualTo(FrameHeader.Verdict.PASS);
		return header;
	}

	private static byte[] mask(byte[] payload) {
		byte[] masked = payload.clone();
		for (int i = 0; i < masked.length; i++) {
			masked[i] ^= FrameHeaderTest.KEY[i & 3];
		}
		return masked;
	}

}
