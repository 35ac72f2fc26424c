package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;

/**
 * What a {@link FrameTap} is shown of each frame of one direction once the frame has been read:
 * its opcode, FIN bit and length, and a copy of the first bytes of its payload, unmasked. The
 * copy is taken from the bytes as they pass, whatever buffers they come in; the frames
 * themselves are relayed unchanged.
 *
 * <p>One per tapped direction, its buffer reused for every frame. Runs on the connection's
 * event loop only.
 */
final class FramePreview {

	private final FrameTap tap;

	private final Side from;

	/** The frame being read, for its opcode, FIN bit and mask key. */
	private final FrameHeader header;

	private final byte[] bytes;

	/** Bytes of {@link #bytes} filled for the current frame. */
	private int length;

	/** The current frame's payload length. */
	private long frameLength;

	FramePreview(FrameTap tap, Side from, FrameHeader header, int previewBytes) {
		this.tap = tap;
		this.from = from;
		this.header = header;
		this.bytes = new byte[Math.max(0, previewBytes)];
	}

	/** A frame's payload of {@code frameLength} bytes follows. */
	void start(long frameLength) {
		this.frameLength = frameLength;
		this.length = 0;
	}

	/**
	 * Payload bytes [index, index + n) of {@code in}, with {@code left} bytes of the payload
	 * (these included) still to come: as many as fit go to the preview, unmasked.
	 */
	void payload(ByteBuf in, int index, int n, long left) {
		int take = Math.min(n, this.bytes.length - this.length);
		if (take > 0) {
			in.getBytes(index, this.bytes, this.length, take);
			this.header.unmask(this.bytes, this.length, take, this.frameLength - left);
			this.length += take;
		}
	}

	/** The frame has been read: the tap sees it. */
	void frameEnd() {
		this.tap.frame(this.from, this.header.opcode(), this.header.fin(), this.frameLength, this.bytes, this.length);
	}

}
