package io.wsgate.proxy;

/**
 * Looks at whole messages of one connection, per direction: what the relay calls when a
 * route inspects messages ({@code FrameInspection}). Called on the connection's event loop,
 * one message at a time per direction; must not block (an inspector that has to wait answers
 * {@link MessageDecision#later}). A direction the inspector does not inspect is relayed as
 * bytes, at no extra cost.
 */
public interface MessageInspector {

	/** Whether messages from {@code from} are inspected. */
	boolean inspects(Side from);

	/** A whole message from {@code from}; control frames never come here. */
	MessageDecision inspect(Side from, WebSocketMessage message);

	/** The connection has ended. */
	default void closed() {
	}

}
