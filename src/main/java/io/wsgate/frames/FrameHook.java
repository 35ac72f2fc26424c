package io.wsgate.frames;

import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;

/**
 * A check or rewrite of whole WebSocket messages, one link of a route's {@code FrameInspection}
 * chain. Users write their own as Spring beans and name them in the chain as
 * {@code bean:<name>}.
 *
 * <p>Called on the connection's event loop, one message at a time per direction and
 * connection: it must not block. Answer at once with {@link MessageDecision#pass()},
 * {@link MessageDecision#replace}, {@link MessageDecision#drop()} or
 * {@link MessageDecision#close}; a hook that has to wait (a remote call) answers
 * {@link MessageDecision#later} with the decision to come, bounded by the route's
 * {@code async-timeout}. While it waits, that direction of that connection reads nothing more;
 * every other connection goes on.
 *
 * <p>Control frames (ping, pong, close) never come here; fragmented messages come whole.
 */
@FunctionalInterface
public interface FrameHook {

	MessageDecision inspect(HookContext context, WebSocketMessage message);

}
