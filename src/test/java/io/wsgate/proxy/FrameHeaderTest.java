package io.wsgate.proxy;

import java.io.ByteArrayOutputStream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.wsgate.proxy.FrameHeader.Verdict;

import static org.assertj.core.api.Assertions.assertThat;

class FrameHeaderTest {

	static final byte[] KEY = { 0x11, 0x22, 0x33, 0x44 };

	@Test
	void shortUnmaskedHeaderIsCompleteAfterTwoBytes() {
		FrameHeader header = new FrameHeader(false);
		assertThat(feed(header, head(0x81, false, 5), 1)).isFalse();
		assertThat(header.started()).isTrue();
		assertThat(header.add((byte) 5)).isTrue();
		assertThat(header.decode(false)).isEqualTo(Verdict.PASS);
		assertThat(header.fin()).isTrue();
		assertThat(header.opcode()).isEqualTo(Opcodes.TEXT);
		assertThat(header.payloadLength()).isEqualTo(5);
		assertThat(header.size()).isEqualTo(2);
	}

	/** A client's header with a 16-bit length, cut after 1 byte, after the 2-byte base, inside the length and inside the mask key. */
	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 4, 6, 7 })
	void maskedHeaderWithSixteenBitLengthDecodesWhereverItIsCut(int cut) {
		FrameHeader header = new FrameHeader(true);
		byte[] bytes = head(0x02, true, 300);
		assertThat(bytes).hasSize(8);
		assertThat(feed(header, bytes, 0, cut)).isFalse();
		assertThat(feed(header, bytes, cut, bytes.length)).isTrue();
		assertThat(header.decode(false)).isEqualTo(Verdict.PASS);
		assertThat(header.fin()).isFalse();
		assertThat(header.opcode()).isEqualTo(Opcodes.BINARY);
		assertThat(header.payloadLength()).isEqualTo(300);
		assertThat(header.size()).isEqualTo(8);
		assertThat(header.maskKey()).containsExactly(KEY);
	}

	/** A header with a 64-bit length, cut after 1 byte, after the base, at every point of the length and of the key. */
	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 5, 9, 10, 11, 13 })
	void maskedHeaderWithSixtyFourBitLengthDecodesWhereverItIsCut(int cut) {
		FrameHeader header = new FrameHeader(true);
		byte[] bytes = head(0x82, true, 0x1_0000_0001L);
		assertThat(bytes).hasSize(14);
		assertThat(feed(header, bytes, 0, cut)).isFalse();
		assertThat(feed(header, bytes, cut, bytes.length)).isTrue();
		assertThat(header.decode(false)).isEqualTo(Verdict.PASS);
		assertThat(header.payloadLength()).isEqualTo(0x1_0000_0001L);
		assertThat(header.size()).isEqualTo(14);
		assertThat(header.maskKey()).containsExactly(KEY);
	}

	@Test
	void headerIsWrittenOnAsItCameAfterItsBytesWereReset() {
		FrameHeader header = new FrameHeader(true);
		byte[] bytes = head(0x89, true, 8);
		feed(header, bytes, 0, bytes.length);
		header.decode(false);
		header.reset();
		assertThat(header.started()).isFalse();
		ByteBuf out = header.writeTo(Unpooled.buffer());
		try {
			assertThat(ByteBufUtil.getBytes(out)).containsExactly(bytes);
		}
		finally {
			out.release();
		}
	}

	@Test
	void nextHeaderStartsAfterReset() {
		FrameHeader header = new FrameHeader(false);
		byte[] first = head(0x82, false, 70000);
		feed(header, first, 0, first.length);
		header.decode(false);
		header.reset();
		byte[] second = head(0x81, false, 3);
		assertThat(feed(header, second, 0, 1)).isFalse();
		assertThat(feed(header, second, 1, 2)).isTrue();
		assertThat(header.decode(false)).isEqualTo(Verdict.PASS);
		assertThat(header.payloadLength()).isEqualTo(3);
	}

	@Test
	void maskedPayloadIsUnmaskedWithTheFramesKey() {
		FrameHeader header = gathered(true, head(0x81, true, 5));
		assertThat(header.decode(false)).isEqualTo(Verdict.PASS);
		byte[] payload = { 0x11 ^ 'h', 0x22 ^ 'e', 0x33 ^ 'l', 0x44 ^ 'l', 0x11 ^ 'o' };
		header.unmask(payload, payload.length);
		assertThat(new String(payload)).isEqualTo("hello");
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF })
	void reservedOpcodeIsAProtocolError(int opcode) {
		assertRefused(gathered(false, head(0x80 | opcode, false, 0)).decode(false), Verdict.RESERVED_OPCODE,
				CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x10, 0x20, 0x30, 0x50, 0x60, 0x70 })
	void reservedBitsOtherThanRsv1AreAProtocolErrorEvenWithDeflate(int rsv) {
		FrameHeader header = gathered(false, head(0x81 | rsv, false, 1));
		assertRefused(header.decode(true), Verdict.BAD_RSV, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void rsv1IsAllowedOnlyOnTheFirstFrameOfAMessageAndOnlyWithDeflate() {
		assertRefused(gathered(false, head(0xC1, false, 1)).decode(false), Verdict.BAD_RSV, CloseCodes.PROTOCOL_ERROR);
		FrameHeader text = gathered(false, head(0xC1, false, 1));
		assertThat(text.decode(true)).isEqualTo(Verdict.PASS);
		assertThat(text.compressed()).isTrue();
		assertThat(gathered(false, head(0x42, false, 1)).decode(true)).isEqualTo(Verdict.PASS);
		assertRefused(gathered(false, head(0xC0, false, 1)).decode(true), Verdict.BAD_RSV, CloseCodes.PROTOCOL_ERROR);
		assertRefused(gathered(false, head(0xC9, false, 1)).decode(true), Verdict.BAD_RSV, CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x8, 0x9, 0xA })
	void controlFrameOverOneHundredTwentyFiveBytesIsAProtocolError(int opcode) {
		assertThat(gathered(false, head(0x80 | opcode, false, 125)).decode(false)).isEqualTo(Verdict.PASS);
		assertRefused(gathered(false, head(0x80 | opcode, false, 126)).decode(false), Verdict.BAD_CONTROL,
				CloseCodes.PROTOCOL_ERROR);
	}

	@ParameterizedTest
	@ValueSource(ints = { 0x8, 0x9, 0xA })
	void fragmentedControlFrameIsAProtocolError(int opcode) {
		assertRefused(gathered(true, head(opcode, true, 2)).decode(false), Verdict.BAD_CONTROL,
				CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void clientFramesMustBeMaskedAndBackendFramesMustNot() {
		assertRefused(gathered(true, head(0x81, false, 1)).decode(false), Verdict.UNMASKED, CloseCodes.PROTOCOL_ERROR);
		assertRefused(gathered(false, head(0x81, true, 1)).decode(false), Verdict.MASKED, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void lengthWithTheMostSignificantBitSetIsAProtocolError() {
		byte[] bytes = new byte[] { (byte) 0x82, 127, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1 };
		assertRefused(gathered(false, bytes).decode(false), Verdict.BAD_LENGTH, CloseCodes.PROTOCOL_ERROR);
	}

	@Test
	void messageOverTheLimitAcrossItsFragmentsIsTooBig() {
		FrameHeader header = gathered(false, head(0x01, false, 600));
		header.decode(false);
		assertThat(header.fitsMessage(1000)).isTrue();
		header.reset();
		feed(header, head(0x00, false, 300), 0, 4);
		header.decode(false);
		assertThat(header.fitsMessage(1000)).isTrue();
		assertThat(header.messageSize()).isEqualTo(900);
		header.reset();
		feed(header, head(0x80, false, 101), 0, 2);
		header.decode(false);
		assertThat(header.fitsMessage(1000)).isFalse();
		Violation violation = Verdict.TOO_BIG.reason(1000);
		assertThat(violation.code()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG).isEqualTo(1009);
		assertThat(violation.reason()).isEqualTo("message too big: limit is 1000 bytes");
	}

	@Test
	void newMessageStartsItsSizeAgainAndNoLimitMeansNone() {
		FrameHeader header = gathered(false, head(0x81, false, 600));
		header.decode(false);
		assertThat(header.fitsMessage(1000)).isTrue();
		header.reset();
		feed(header, head(0x82, false, 700), 0, 4);
		header.decode(false);
		assertThat(header.fitsMessage(1000)).isTrue();
		assertThat(header.fitsMessage(MessageLimits.UNLIMITED)).isTrue();
	}

	@Test
	void protocolVerdictsGiveTheProtocolErrorCode() {
		for (Verdict verdict : Verdict.values()) {
			assertThat(verdict.refuses()).as(verdict.name())
				.isEqualTo(verdict != Verdict.PASS && verdict != Verdict.DISCARD && verdict != Verdict.HOLD
						&& verdict != Verdict.INSPECT);
			if (verdict.refuses() && verdict != Verdict.TOO_BIG) {
				assertThat(verdict.reason(1).code()).as(verdict.name()).isEqualTo(1002);
			}
		}
	}

	private static void assertRefused(Verdict verdict, Verdict expected, int code) {
		assertThat(verdict).isEqualTo(expected);
		assertThat(verdict.refuses()).isTrue();
		assertThat(verdict.reason(1000).code()).isEqualTo(code);
	}

	/** A header fed whole, not yet decoded. */
	private static FrameHeader gathered(boolean expectMasked, byte[] bytes) {
		FrameHeader header = new FrameHeader(expectMasked);
		assertThat(feed(header, bytes, 0, bytes.length)).isTrue();
		return header;
	}

	private static boolean feed(FrameHeader header, byte[] bytes, int count) {
		return feed(header, bytes, 0, count);
	}

	/** Feeds bytes [from, to); whether the header was complete with the last of them. */
	private static boolean feed(FrameHeader header, byte[] bytes, int from, int to) {
		boolean complete = false;
		for (int i = from; i < to; i++) {
			assertThat(complete).as("complete before byte " + i).isFalse();
			complete = header.add(bytes[i]);
		}
		return complete;
	}

	/** A frame header: first byte {@code b0}, the shortest length encoding, {@link #KEY} if masked. */
	static byte[] head(int b0, boolean masked, long length) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(b0);
		int maskBit = masked ? 0x80 : 0;
		if (length < 126) {
			out.write(maskBit | (int) length);
		}
		else if (length <= 0xFFFF) {
			out.write(maskBit | 126);
			out.write((int) (length >> 8));
			out.write((int) length);
		}
		else {
			out.write(maskBit | 127);
			for (int shift = 56; shift >= 0; shift -= 8) {
				out.write((int) (length >> shift));
			}
		}
		if (masked) {
			out.writeBytes(KEY);
		}
		return out.toByteArray();
	}

}
