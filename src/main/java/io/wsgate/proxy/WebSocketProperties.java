package io.wsgate.proxy;

import java.time.Duration;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Global settings of the WebSocket relay, under {@code wsgate.websocket}. Routes may
 * override some of them with their own filters (for example {@code MaxMessageSize}).
 */
@Validated
@ConfigurationProperties("wsgate.websocket")
public class WebSocketProperties {

	/** Time allowed to connect to a backend and receive its handshake answer; then 504. */
	@NotNull
	@DurationMin(millis = 1)
	@DurationMax(minutes = 10)
	private Duration connectTimeout = Duration.ofSeconds(10);

	/**
	 * Largest message accepted per direction (sum of a fragmented message's frames); -1 for
	 * unlimited. Over it, the sender gets close 1009 and the other side 1001.
	 */
	@NotNull
	private DataSize maxMessageSize = DataSize.ofMegabytes(1);

	/**
	 * Time a peer has to answer a close frame (and a backend to end its TCP connection after
	 * the close handshake) before the gateway drops the TCP connection.
	 */
	@NotNull
	@DurationMin(millis = 1)
	@DurationMax(minutes = 5)
	private Duration closeTimeout = Duration.ofSeconds(3);

	/** Most WebSocket connections relayed at once by this process; over it, 503. */
	@Min(1)
	@Max(10_000_000)
	private int maxConnections = 10_000;

	/** Largest body of a backend's non-101 handshake answer passed on to the client; over it, 502. */
	@NotNull
	private DataSize maxRejectionBody = DataSize.ofKilobytes(64);

	/**
	 * permessage-deflate, negotiated by the gateway with each side on its own; off by default
	 * (OWASP: compression over TLS can leak secrets). Per route: metadata {@code compression}.
	 */
	private boolean compression;

	/**
	 * Largest message held whole on a route that buffers messages (FrameInspection,
	 * compression), whatever the route's own limit says (a smaller one applies; -1 means this).
	 */
	@NotNull
	private DataSize maxBufferedMessage = DataSize.ofMegabytes(8);

	/**
	 * Most message bytes held on the heap by all connections together; 0 means a quarter of the
	 * maximum heap. A connection whose message would pass it is closed with 1013.
	 */
	@NotNull
	private DataSize messageBufferBudget = DataSize.ofBytes(0);

	/**
	 * Time a buffered message (from its first frame header to its last byte) may take to
	 * arrive; then its sender gets 1008 {@code message not completed in time}.
	 */
	@NotNull
	@DurationMin(millis = 1)
	@DurationMax(hours = 1)
	private Duration messageTimeout = Duration.ofSeconds(30);

	public boolean isCompression() {
		return this.compression;
	}

	public void setCompression(boolean compression) {
		this.compression = compression;
	}

	@AssertTrue(message = "wsgate.websocket.max-message-size must be -1 (unlimited) or a positive size")
	boolean isMaxMessageSizeValid() {
		return this.maxMessageSize == null || MessageLimits.isValid(this.maxMessageSize);
	}

	@AssertTrue(message = "wsgate.websocket.max-buffered-message must be between 1KB and 1GB")
	boolean isMaxBufferedMessageValid() {
		return this.maxBufferedMessage == null || (this.maxBufferedMessage.toBytes() >= 1024
				&& this.maxBufferedMessage.toBytes() <= DataSize.ofGigabytes(1).toBytes());
	}

	@AssertTrue(message = "wsgate.websocket.message-buffer-budget must be 0 (a quarter of the heap) or at least "
			+ "wsgate.websocket.max-buffered-message")
	boolean isMessageBufferBudgetValid() {
		if (this.messageBufferBudget == null || this.maxBufferedMessage == null) {
			return true;
		}
		long budget = this.messageBufferBudget.toBytes();
		return budget == 0 || budget >= this.maxBufferedMessage.toBytes();
	}

	@AssertTrue(message = "wsgate.websocket.max-rejection-body must be between 0 and 16MB")
	boolean isMaxRejectionBodyValid() {
		return this.maxRejectionBody == null || (this.maxRejectionBody.toBytes() >= 0
				&& this.maxRejectionBody.toBytes() <= DataSize.ofMegabytes(16).toBytes());
	}

	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public DataSize getMaxMessageSize() {
		return this.maxMessageSize;
	}

	public void setMaxMessageSize(DataSize maxMessageSize) {
		this.maxMessageSize = maxMessageSize;
	}

	public Duration getCloseTimeout() {
		return this.closeTimeout;
	}

	public void setCloseTimeout(Duration closeTimeout) {
		this.closeTimeout = closeTimeout;
	}

	public int getMaxConnections() {
		return this.maxConnections;
	}

	public void setMaxConnections(int maxConnections) {
		this.maxConnections = maxConnections;
	}

	public DataSize getMaxRejectionBody() {
		return this.maxRejectionBody;
	}

	public void setMaxRejectionBody(DataSize maxRejectionBody) {
		this.maxRejectionBody = maxRejectionBody;
	}

	public DataSize getMaxBufferedMessage() {
		return this.maxBufferedMessage;
	}

	public void setMaxBufferedMessage(DataSize maxBufferedMessage) {
		this.maxBufferedMessage = maxBufferedMessage;
	}

	public DataSize getMessageBufferBudget() {
		return this.messageBufferBudget;
	}

	public void setMessageBufferBudget(DataSize messageBufferBudget) {
		this.messageBufferBudget = messageBufferBudget;
	}

	public Duration getMessageTimeout() {
		return this.messageTimeout;
	}

	public void setMessageTimeout(Duration messageTimeout) {
		this.messageTimeout = messageTimeout;
	}

}
