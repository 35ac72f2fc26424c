package io.wsgate.proxy;

import org.jspecify.annotations.Nullable;

/**
 * Sees every frame of one connection as it passes the relay, with the first bytes of its
 * payload: what traffic capture ({@code FrameCapture}) records. Called on the connection's
 * event loop; must be quick and must not keep {@code preview} (it is reused).
 */
public interface FrameTap {

	/**
	 * A whole frame arrived from {@code from}.
	 * @param opcode the frame's opcode
	 * @param fin whether it ends its message
	 * @param length its payload length
	 * @param preview the payload's first bytes, unmasked, in {@code [0, previewLength)}
	 */
	void frame(Side from, int opcode, boolean fin, long length, byte[] preview, int previewLength);

	/** The connection has ended, with this close (null if it never had one). */
	default void closed(@Nullable CloseStatus status) {
	}

}
