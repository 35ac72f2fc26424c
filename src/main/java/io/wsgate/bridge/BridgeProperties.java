package io.wsgate.bridge;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code wsgate.bridge.*}: the HTTP client every {@code WebSocketBridge} route shares. The
 * per-route arguments are the filter's.
 */
@Validated
@ConfigurationProperties("wsgate.bridge")
public class BridgeProperties {

	/** HTTP connections the bridge keeps open to each backend address at most. */
	@Min(1)
	@Max(100_000)
	private int maxConnections = 500;

	/** Calls that may wait for one of those connections; more fail at once (1011 / 502). */
	@Min(1)
	@Max(1_000_000)
	private int maxPendingRequests = 10_000;

	/** An idle pooled connection is closed after this long. */
	private Duration maxIdleTime = Duration.ofSeconds(30);

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public int getMaxPendingRequests() {
		return this.maxPendingRequests;
	}

	public void setMaxPendingRequests(int maxPendingRequests) {
		this.maxPendingRequests = maxPendingRequests;
	}

	public Duration getMaxIdleTime() {
		return this.maxIdleTime;
	}

	public void setMaxIdleTime(Duration maxIdleTime) {
		this.maxIdleTime = maxIdleTime;
	}

}
