package io.wsgate.proxy;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway-wide budget for message bytes held on the heap: the messages being joined on
 * routes that buffer whole messages ({@code FrameInspection}, compression), including those
 * inflated and those waiting for an inspection decision. Each direction of a connection
 * reserves from it as its buffer grows and gives everything back when the message has gone on
 * (or the connection ends); a reservation that would pass the limit is refused, and that
 * connection is closed with 1013. Plain relayed bytes never count: nothing is held for them.
 *
 * <p>One per gateway ({@code wsgate.websocket.message-buffer-budget}); lock-free, called from
 * every event loop.
 */
public final class MessageBudget {

	/** The share of the maximum heap the budget is when none is configured. */
	static final double DEFAULT_HEAP_FRACTION = 0.25;

	private final long limit;

	private final AtomicLong used = new AtomicLong();

	MessageBudget(long limit) {
		if (limit <= 0) {
			throw new IllegalArgumentException("a message buffer budget is positive");
		}
		this.limit = limit;
	}

	/** The configured budget, or (0) a quarter of the maximum heap. */
	static MessageBudget of(long configured) {
		return new MessageBudget((configured > 0) ? configured
				: (long) (Runtime.getRuntime().maxMemory() * DEFAULT_HEAP_FRACTION));
	}

	/** Takes {@code bytes} from the budget if they fit; false (and nothing taken) if not. */
	boolean tryReserve(long bytes) {
		long current;
		do {
			current = this.used.get();
			if (current + bytes > this.limit) {
				return false;
			}
		}
		while (!this.used.compareAndSet(current, current + bytes));
		return true;
	}

	/** Gives back {@code bytes} reserved before. */
	void release(long bytes) {
		if (bytes > 0) {
			this.used.addAndGet(-bytes);
		}
	}

	/** Bytes reserved now. */
	public long used() {
		return this.used.get();
	}

	/** The most that may be reserved at once. */
	public long limit() {
		return this.limit;
	}

}
