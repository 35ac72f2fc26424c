package io.wsgate.proxy;

import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Encodes a whole message as one data frame (RFC 6455 section 5.2), for inspected messages. */
final class DataFrames {

	private DataFrames() {
	}

	/**
	 * A final frame with {@code opcode} and payload {@code payload[0, length)}; masked with a
	 * fresh random key when {@code masked} (toward a backend), the payload array untouched.
	 */
	static ByteBuf encode(ByteBufAllocator alloc, int opcode, byte[] payload, int length, boolean masked) {
		int headerSize = 2 + ((length < 126) ? 0 : (length <= 0xFFFF) ? 2 : 8) + (masked ? 4 : 0);
		ByteBuf frame = alloc.buffer(headerSize + length);
		frame.writeByte(0x80 | opcode);
		int maskBit = masked ? 0x80 : 0;
		if (length < 126) {
			frame.writeByte(maskBit | length);
		}
		else if (length <= 0xFFFF) {
			frame.writeByte(maskBit | 126).writeShort(length);
		}
		else {
			frame.writeByte(maskBit | 127).writeLong(length);
		}
		if (!masked) {
			return frame.writeBytes(payload, 0, length);
		}
		int key = ThreadLocalRandom.current().nextInt();
		frame.writeInt(key);
		byte[] mask = { (byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key };
		int i = 0;
		for (; i + 4 <= length; i += 4) {
			frame.writeInt(((payload[i] ^ mask[0]) & 0xFF) << 24 | ((payload[i + 1] ^ mask[1]) & 0xFF) << 16
					| ((payload[i + 2] ^ mask[2]) & 0xFF) << 8 | ((payload[i + 3] ^ mask[3]) & 0xFF));
		}
		for (; i < length; i++) {
			frame.writeByte(payload[i] ^ mask[i & 3]);
		}
		return frame;
	}

}
