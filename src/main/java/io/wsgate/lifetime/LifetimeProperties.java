package io.wsgate.lifetime;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Global connection-lifetime settings, under {@code wsgate.websocket} beside the relay's own.
 * Each applies to every WebSocket route that does not set its own with the
 * {@code ConnectionExpiry}, {@code IdleTimeout} or {@code KeepAlive} filter. A duration of 0
 * turns the timer off.
 */
@Validated
@ConfigurationProperties("wsgate.websocket")
public class LifetimeProperties {

	/** Absolute lifetime of a connection; then both sides get 1001 "connection expired". 0 = unlimited. */
	@NotNull
	@DurationMin(millis = 0)
	@DurationMax(days = 365)
	private Duration connectionExpiry = Duration.ZERO;

	/** No data message in either direction for this long: both sides get 1001 "idle timeout". 0 = none. */
	@NotNull
	@DurationMin(millis = 0)
	@DurationMax(days = 7)
	private Duration idleTimeout = Duration.ZERO;

	/** Whether the peers' pings and pongs count as activity for the idle timeout. */
	private boolean idleTimeoutCountsPings;

	/** Keep-alive pings the gateway sends to both sides. */
	@Valid
	private final KeepAlive keepAlive = new KeepAlive();

	/**
	 * On shutdown, how long to wait for connections to finish their close handshakes after
	 * every one was sent 1001 "server shutting down"; then the rest are dropped.
	 */
	@NotNull
	@DurationMin(millis = 0)
	@DurationMax(hours = 1)
	private Duration drainTimeout = Duration.ofSeconds(30);

	public Duration getConnectionExpiry() {
		return this.connectionExpiry;
	}

	public void setConnectionExpiry(Duration connectionExpiry) {
		this.connectionExpiry = connectionExpiry;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public boolean isIdleTimeoutCountsPings() {
		return this.idleTimeoutCountsPings;
	}

	public void setIdleTimeoutCountsPings(boolean idleTimeoutCountsPings) {
		this.idleTimeoutCountsPings = idleTimeoutCountsPings;
	}

	public KeepAlive getKeepAlive() {
		return this.keepAlive;
	}

	public Duration getDrainTimeout() {
		return this.drainTimeout;
	}

	public void setDrainTimeout(Duration drainTimeout) {
		this.drainTimeout = drainTimeout;
	}

	/** {@code wsgate.websocket.keep-alive.*} */
	public static class KeepAlive {

		/** How often the gateway pings each side. 0 = no keep-alive pings. */
		@NotNull
		@DurationMin(millis = 0)
		@DurationMax(hours = 1)
		private Duration interval = Duration.ZERO;

		/** How long a side has to answer a ping (or send anything) before it is disconnected. */
		@NotNull
		@DurationMin(millis = 1)
		@DurationMax(minutes = 10)
		private Duration timeout = Duration.ofSeconds(10);

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

	}

}
