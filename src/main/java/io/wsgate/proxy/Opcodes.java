package io.wsgate.proxy;

/**
 * The frame opcodes of RFC 6455 section 5.2 (the low four bits of a frame's first byte), and
 * the two classes they fall in: data frames (0x0-0x7, of which 0x3-0x7 are reserved) and
 * control frames (0x8-0xF, of which 0xB-0xF are reserved). Public for the features that name
 * frames (captures); the relay's own checks stay package-private.
 */
public final class Opcodes {

	public static final int CONTINUATION = 0x0;

	public static final int TEXT = 0x1;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	public static final int PONG = 0xA;

	/** How many opcodes four bits can hold: the size of a table by opcode. */
	static final int COUNT = 16;

	private Opcodes() {
	}

	/** Whether {@code opcode} is a control frame's (close, ping, pong or a reserved one). */
	public static boolean isControl(int opcode) {
		return (opcode & CLOSE) != 0;
	}

	/** Whether {@code opcode} is reserved: 0x3-0x7 and 0xB-0xF, which no negotiated extension defines here. */
	static boolean isReserved(int opcode) {
		return (opcode & 0x7) > BINARY;
	}

	/** Whether {@code opcode} begins a message: text or binary (a continuation goes on with one). */
	static boolean startsMessage(int opcode) {
		return opcode == TEXT || opcode == BINARY;
	}

	/** The opcode's name: {@code text}, {@code binary}, {@code continuation}, {@code close}, {@code ping}, {@code pong}, or {@code reserved-N}. */
	public static String name(int opcode) {
		return switch (opcode) {
			case CONTINUATION -> "continuation";
			case TEXT -> "text";
			case BINARY -> "binary";
			case CLOSE -> "close";
			case PING -> "ping";
			case PONG -> "pong";
			default -> "reserved-" + opcode;
		};
	}

	/** {@code opcode} as one bit of a set of opcodes held in an {@code int}. */
	static int bit(int opcode) {
		return 1 << opcode;
	}

}
