package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;

/**
 * The header of the frame being read from one side (RFC 6455 section 5.2): gathered a byte at
 * a time, so that it may arrive cut anywhere across buffers, then decoded (FIN, RSV bits,
 * opcode, mask bit and key, 7, 16 or 64-bit payload length) and checked against the rules that
 * hold for every frame, whatever the relay does with it. It also adds up the length of the
 * message its data frames belong to, for the size limit.
 *
 * <p>One per direction, reused for every frame: nothing is allocated per frame. Runs on the
 * connection's event loop only.
 */
final class FrameHeader {

	/** The first byte's bit for the last frame of a message. */
	static final int FIN = 0x80;

	/** The first byte's bit that permessage-deflate sets on the first frame of a compressed message. */
	static final int RSV1 = 0x40;

	/** The second byte's bit for a masked payload. */
	static final int MASKED = 0x80;

	/** A control frame's payload is at most this long (RFC 6455 section 5.5). */
	static final int MAX_CONTROL_PAYLOAD = 125;

	private static final int RSV_BITS = 0x70;

	/** 2 bytes, 8 of extended length, 4 of mask key. */
	private static final int MAX_SIZE = 14;

	/** Frames from a client must be masked; frames from a backend must not be. */
	private final boolean expectMasked;

	private final byte[] bytes = new byte[MAX_SIZE];

	private final byte[] maskKey = new byte[4];

	/** Bytes of the header gathered so far; 0 between frames. */
	private int gathered;

	/** The whole header's size, known from its second byte on and kept after {@link #reset}. */
	private int size = 2;

	private boolean fin;

	private int opcode;

	private long payloadLength;

	/** The payload bytes declared so far by the data frames of the current message. */
	private long messageSize;

	FrameHeader(boolean expectMasked) {
		this.expectMasked = expectMasked;
	}

	/** Whether part of a header has been read, and the rest is still to come. */
	boolean started() {
		return this.gathered > 0;
	}

	/** Adds the header's next byte; true once the header is complete (then {@link #decode}). */
	boolean add(byte b) {
		this.bytes[this.gathered++] = b;
		if (this.gathered == 2) {
			this.size = sizeFrom(b);
		}
		return this.gathered >= this.size;
	}

	/** The frame's bytes are being read: the next byte begins a new header. */
	void reset() {
		this.gathered = 0;
	}

	/**
	 * Decodes the complete header and checks the rules that hold for every frame: the length
	 * fits 63 bits, the mask bit is the one this side must set, a control frame is final and
	 * short, the opcode is not reserved, and RSV bits are set only as permessage-deflate allows
	 * ({@code rsv1Allowed}: this side negotiated it). Returns {@link Verdict#PASS} or the rule broken.
	 */
	Verdict decode(boolean rsv1Allowed) {
		int b0 = this.bytes[0];
		this.fin = (b0 & FIN) != 0;
		this.opcode = b0 & 0x0F;
		this.payloadLength = lengthField();
		boolean masked = (this.bytes[1] & MASKED) != 0;
		if (masked) {
			System.arraycopy(this.bytes, this.size - 4, this.maskKey, 0, 4);
		}
		if (this.payloadLength < 0) {
			return Verdict.BAD_LENGTH;
		}
		if (masked != this.expectMasked) {
			return masked ? Verdict.MASKED : Verdict.UNMASKED;
		}
		if (Opcodes.isControl(this.opcode) && (!this.fin || this.payloadLength > MAX_CONTROL_PAYLOAD)) {
			return Verdict.BAD_CONTROL;
		}
		if (Opcodes.isReserved(this.opcode)) {
			// 0x3-0x7 and 0xB-0xF: no extension that defines them is negotiated through the gateway
			return Verdict.RESERVED_OPCODE;
		}
		int rsv = b0 & RSV_BITS;
		if (rsv != 0 && (rsv != RSV1 || !rsv1Allowed || !Opcodes.startsMessage(this.opcode))) {
			// no extension is negotiated through the gateway: only its own permessage-deflate sets RSV1
			return Verdict.BAD_RSV;
		}
		return Verdict.PASS;
	}

	/**
	 * Counts the decoded data frame into its message (a continuation adds to it, text or binary
	 * begins one); false if the message is then over {@code limit} (negative: no limit).
	 */
	boolean fitsMessage(long limit) {
		this.messageSize = (this.opcode == Opcodes.CONTINUATION) ? this.messageSize + this.payloadLength
				: this.payloadLength;
		return limit < 0 || this.messageSize <= limit;
	}

	/** The header as it came, masked or not, written to {@code out}. */
	ByteBuf writeTo(ByteBuf out) {
		return out.writeBytes(this.bytes, 0, this.size);
	}

	/** The size of the decoded header: 2 to 14 bytes. */
	int size() {
		return this.size;
	}

	boolean fin() {
		return this.fin;
	}

	int opcode() {
		return this.opcode;
	}

	/** Whether the frame begins a message compressed by permessage-deflate. */
	boolean compressed() {
		return (this.bytes[0] & RSV1) != 0;
	}

	long payloadLength() {
		return this.payloadLength;
	}

	/** The declared payload bytes of the current message's data frames so far. */
	long messageSize() {
		return this.messageSize;
	}

	/** The frame's mask key (only meaningful for a masked frame): not a copy, not to be changed. */
	byte[] maskKey() {
		return this.maskKey;
	}

	/** Unmasks {@code payload[0, length)}, the first bytes of the frame's payload, in place (if it was masked). */
	void unmask(byte[] payload, int length) {
		unmask(payload, 0, length, 0);
	}

	/**
	 * Unmasks {@code target[offset, offset + n)}, which holds the frame's payload bytes from
	 * {@code position} on, in place (if the frame was masked).
	 */
	void unmask(byte[] target, int offset, int n, long position) {
		if (this.expectMasked) {
			byte[] key = this.maskKey;
			int phase = (int) (position & 3);
			for (int i = 0; i < n; i++) {
				target[offset + i] ^= key[(phase + i) & 3];
			}
		}
	}

	/** The header's size from its second byte: length code and mask bit. */
	private static int sizeFrom(byte b1) {
		int lengthCode = b1 & 0x7F;
		int size = 2 + ((lengthCode == 126) ? 2 : (lengthCode == 127) ? 8 : 0);
		return ((b1 & MASKED) != 0) ? size + 4 : size;
	}

	private long lengthField() {
		int lengthCode = this.bytes[1] & 0x7F;
		if (lengthCode < 126) {
			return lengthCode;
		}
		if (lengthCode == 126) {
			return ((this.bytes[2] & 0xFFL) << 8) | (this.bytes[3] & 0xFFL);
		}
		long length = 0;
		for (int i = 2; i < 10; i++) {
			length = (length << 8) | (this.bytes[i] & 0xFFL);
		}
		return length;
	}

	/** What happens to a frame whose header has been read. */
	enum Verdict {

		PASS, DISCARD, HOLD, INSPECT, TOO_BIG, BAD_LENGTH, MASKED, UNMASKED, BAD_CONTROL, STRAY_CONTINUATION,
		UNFINISHED_MESSAGE, RESERVED_OPCODE, BAD_RSV;

		/** Whether the frame breaks a rule: its sender is closed (and the frame not relayed). */
		boolean refuses() {
			return this != PASS && this != DISCARD && this != HOLD && this != INSPECT;
		}

		/** What the sender is told; {@code limit} is the size limit a {@link #TOO_BIG} message passed. */
		Violation reason(long limit) {
			return switch (this) {
				case TOO_BIG -> Violation.tooBig(limit);
				case BAD_LENGTH -> Violation.protocol("invalid frame length");
				case MASKED -> Violation.protocol("masked frame from server");
				case UNMASKED -> Violation.protocol("unmasked frame from client");
				case BAD_CONTROL -> Violation.protocol("fragmented or oversized control frame");
				case STRAY_CONTINUATION -> Violation.protocol("continuation frame without a message");
				case UNFINISHED_MESSAGE -> Violation.protocol("new message before the last one ended");
				case RESERVED_OPCODE -> Violation.protocol("reserved opcode");
				case BAD_RSV -> Violation.protocol("reserved bits set that no extension allows");
				default -> throw new IllegalStateException(name());
			};
		}

	}

}
