package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes the control frames the gateway sends itself: close frames (RFC 6455 section 5.5.1)
 * and keep-alive pings (section 5.5.2). Frames to a backend are masked, as a client's must
 * be; frames to a client are not.
 */
final class ControlFrames {

	/** A close reason is at most 123 bytes of UTF-8 (125 minus the code). */
	static final int MAX_REASON_BYTES = 123;

	/** Length of the payload of the gateway's own pings. */
	static final int PING_PAYLOAD_BYTES = 8;

	private ControlFrames() {
	}

	/**
	 * A close frame with {@code code} and {@code reason}; for {@link CloseCodes#NO_STATUS} an empty one,
	 * since 1005 itself may not appear in a frame.
	 */
	static ByteBuf close(ByteBufAllocator alloc, int code, String reason, boolean masked) {
		if (code == CloseCodes.NO_STATUS) {
			ByteBuf frame = alloc.buffer(masked ? 6 : 2).writeByte(0x80 | Opcodes.CLOSE).writeByte(masked ? 0x80 : 0);
			if (masked) {
				frame.writeInt(ThreadLocalRandom.current().nextInt());
			}
			return frame;
		}
		byte[] text = truncatedUtf8(reason);
		int payloadLength = 2 + text.length;
		ByteBuf frame = alloc.buffer(2 + (masked ? 4 : 0) + payloadLength);
		frame.writeByte(0x80 | Opcodes.CLOSE); // FIN + opcode
		frame.writeByte((masked ? 0x80 : 0) | payloadLength);
		byte[] payload = new byte[payloadLength];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, text.length);
		if (masked) {
			byte[] mask = new byte[4];
			ThreadLocalRandom.current().nextBytes(mask);
			frame.writeBytes(mask);
			for (int i = 0; i < payload.length; i++) {
				payload[i] ^= mask[i & 3];
			}
		}
		frame.writeBytes(payload);
		return frame;
	}

	/** A ping whose payload is the 8 bytes of {@code payload}, big-endian. */
	static ByteBuf ping(ByteBufAllocator alloc, long payload, boolean masked) {
		ByteBuf frame = alloc.buffer(masked ? 14 : 10);
		frame.writeByte(0x80 | Opcodes.PING); // FIN + opcode
		frame.writeByte((masked ? 0x80 : 0) | PING_PAYLOAD_BYTES);
		if (masked) {
			int mask = ThreadLocalRandom.current().nextInt();
			frame.writeInt(mask);
			long mask64 = ((mask & 0xFFFFFFFFL) << 32) | (mask & 0xFFFFFFFFL);
			frame.writeLong(payload ^ mask64);
		}
		else {
			frame.writeLong(payload);
		}
		return frame;
	}

	/** The reason as UTF-8, cut at a character boundary so that it fits a close frame. */
	static byte[] truncatedUtf8(String reason) {
		byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
		if (bytes.length <= MAX_REASON_BYTES) {
			return bytes;
		}
		int end = MAX_REASON_BYTES;
		while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
			end--; // do not split a multi-byte character
		}
		byte[] cut = new byte[end];
		System.arraycopy(bytes, 0, cut, 0, end);
		return cut;
	}

}
