package io.wsgate.pools;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The outcome of one health probe of a server (both probes, when a pool has an HTTP and a
 * WebSocket probe): when it ran, how long it took, and why it failed.
 */
public record ProbeResult(boolean passed, Instant time, Duration latency, @Nullable String failure) {

	static ProbeResult passed(Instant time, Duration latency) {
		return new ProbeResult(true, time, latency, null);
	}

	static ProbeResult failed(Instant time, Duration latency, String failure) {
		return new ProbeResult(false, time, latency, failure);
	}

}
