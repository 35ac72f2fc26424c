package io.wsgate.cluster;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/** {@code wsgate.connections.*}: the limits of the connections API's messages. */
@Validated
@ConfigurationProperties("wsgate.connections")
public class ConnectionsProperties {

	/** The largest hard cap a push body may have: the management server holds it whole. */
	static final DataSize MAX_PUSH_SIZE_CAP = DataSize.ofMegabytes(16);

	/** The largest request body {@code POST .../messages} takes (413 above); at most 16MB. */
	@NotNull
	private DataSize maxPushSize = DataSize.ofMegabytes(1);

	/** How long a message may take to be written to a client's socket before the request gets 504. */
	@NotNull
	@DurationMin(millis = 100)
	@DurationMax(minutes = 5)
	private Duration sendTimeout = Duration.ofSeconds(10);

	@AssertTrue(message = "wsgate.connections.max-push-size must be between 1B and 16MB")
	boolean isMaxPushSizeValid() {
		return this.maxPushSize == null
				|| (this.maxPushSize.toBytes() >= 1 && this.maxPushSize.toBytes() <= MAX_PUSH_SIZE_CAP.toBytes());
	}

	public DataSize getMaxPushSize() {
		return this.maxPushSize;
	}

	public void setMaxPushSize(DataSize maxPushSize) {
		this.maxPushSize = maxPushSize;
	}

	public Duration getSendTimeout() {
		return this.sendTimeout;
	}

	public void setSendTimeout(Duration sendTimeout) {
		this.sendTimeout = sendTimeout;
	}

}
