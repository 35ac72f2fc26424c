package io.wsgate.proxy;

import java.time.Duration;

/**
 * The bounds on messages a connection holds whole (inspection, compression): the gateway-wide
 * {@link MessageBudget}, the largest message held ({@code wsgate.websocket.max-buffered-message},
 * or the route's smaller limit) and the time a message may take to arrive
 * ({@code wsgate.websocket.message-timeout}).
 */
record MessageBuffering(MessageBudget budget, long maxMessage, Duration timeout) {

	MessageBuffering {
		if (maxMessage <= 0 || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("a buffered message limit and a message timeout are positive");
		}
	}

	static MessageBuffering of(WebSocketProperties properties, MessageBudget budget) {
		return new MessageBuffering(budget, properties.getMaxBufferedMessage().toBytes(),
				properties.getMessageTimeout());
	}

}
