package io.wsgate.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.wsgate.proxy.MessageBudget;

/**
 * The message buffer budget ({@code wsgate.websocket.message-buffer-budget}):
 * <ul>
 * <li>{@value #BUFFERED}: message bytes held on the heap now by all connections (messages being
 * joined for inspection or compression, inflated, or waiting for a decision), in bytes;</li>
 * <li>{@value #BUDGET}: the most that may be held, in bytes.</li>
 * </ul>
 * A connection refused by the budget is counted in
 * {@value ConnectionMetrics#GATEWAY_CLOSES} with {@code cause=buffer-budget}.
 */
public class BufferMetrics {

	public static final String BUFFERED = "wsgate.messages.buffered";

	public static final String BUDGET = "wsgate.messages.buffered.budget";

	public BufferMetrics(MeterRegistry meters, MessageBudget budget) {
		Gauge.builder(BUFFERED, budget, MessageBudget::used)
			.description("Message bytes held on the heap for inspection or compression")
			.baseUnit("bytes")
			.register(meters);
		Gauge.builder(BUDGET, budget, MessageBudget::limit)
			.description("The most message bytes that may be held on the heap (wsgate.websocket.message-buffer-budget)")
			.baseUnit("bytes")
			.register(meters);
	}

}
