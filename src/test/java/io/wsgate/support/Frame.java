package io.wsgate.support;

import java.nio.charset.StandardCharsets;

/** A WebSocket frame as read off the wire (payload unmasked). */
public record Frame(boolean fin, int opcode, byte[] payload) {

	public static final int CONTINUATION = 0x0;

	public static final int TEXT = 0x1;

	public static final int BINARY = 0x2;

	public static final int CLOSE = 0x8;

	public static final int PING = 0x9;

	public static final int PONG = 0xA;

	public String text() {
		return new String(this.payload, StandardCharsets.UTF_8);
	}

	/** The close code, or 1005 for a close frame without one. */
	public int closeCode() {
		if (this.opcode != CLOSE) {
			throw new IllegalStateException("not a close frame: opcode " + this.opcode);
		}
		return (this.payload.length >= 2) ? ((this.payload[0] & 0xFF) << 8) | (this.payload[1] & 0xFF) : 1005;
	}

	public String closeReason() {
		return (this.payload.length > 2) ? new String(this.payload, 2, this.payload.length - 2, StandardCharsets.UTF_8)
				: "";
	}

	@Override
	public String toString() {
		return "Frame[fin=" + this.fin + ", opcode=" + this.opcode + ", length=" + this.payload.length
				+ ((this.opcode == CLOSE) ? ", code=" + closeCode() + ", reason=" + closeReason() : "") + "]";
	}

}
