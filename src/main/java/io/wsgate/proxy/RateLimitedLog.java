package io.wsgate.proxy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * At most one log line per interval for an event that an attacker can repeat at will (a
 * refused upgrade): the first of each interval is logged, the others are counted, and the
 * next line says how many were left out.
 */
final class RateLimitedLog {

	private final long intervalNanos;

	private final AtomicLong nextAllowed = new AtomicLong(System.nanoTime());

	private final AtomicLong suppressed = new AtomicLong();

	RateLimitedLog(Duration interval) {
		this.intervalNanos = interval.toNanos();
	}

	/**
	 * Whether this event is logged: -1 if not (it is counted), else how many were left out
	 * since the last logged one.
	 */
	long admit() {
		long now = System.nanoTime();
		long allowed = this.nextAllowed.get();
		if (now - allowed >= 0 && this.nextAllowed.compareAndSet(allowed, now + this.intervalNanos)) {
			return this.suppressed.getAndSet(0);
		}
		this.suppressed.incrementAndGet();
		return -1;
	}

}
