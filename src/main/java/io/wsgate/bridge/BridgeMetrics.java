package io.wsgate.bridge;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wsgate.proxy.MeterTags;
import org.jspecify.annotations.Nullable;

/**
 * {@code wsgate.bridge.requests}: a timer of the bridge's HTTP calls, tagged {@code routeId},
 * {@code call} ({@code connect}, {@code message}, {@code disconnect}) and {@code outcome}
 * ({@code 2xx}, {@code 3xx}, {@code 4xx}, {@code 5xx}, {@code timeout}, {@code failed}).
 */
final class BridgeMetrics {

	static final String REQUESTS = "wsgate.bridge.requests";

	private final @Nullable MeterRegistry registry;

	BridgeMetrics(@Nullable MeterRegistry registry) {
		this.registry = registry;
	}

	void call(String route, String call, String outcome, long startNanos) {
		if (this.registry != null) {
			Timer.builder(REQUESTS)
				.description("HTTP calls of WebSocketBridge routes")
				.tag(MeterTags.ROUTE, route)
				.tag("call", call)
				.tag("outcome", outcome)
				.register(this.registry)
				.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
		}
	}

	static String outcome(int status) {
		return (status >= 100 && status < 600) ? (status / 100) + "xx" : "failed";
	}

}
