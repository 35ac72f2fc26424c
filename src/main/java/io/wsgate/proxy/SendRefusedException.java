package io.wsgate.proxy;

/**
 * Why a message of the gateway's own ({@link ProxiedConnection#send}) was not written to a
 * connection's client; {@link #reason()} says which refusal it is.
 */
public final class SendRefusedException extends RuntimeException {

	private final Reason reason;

	SendRefusedException(Reason reason, String message) {
		super(message, null, false, false);
		this.reason = reason;
	}

	public Reason reason() {
		return this.reason;
	}

	static SendRefusedException closed() {
		return new SendRefusedException(Reason.CLOSED, "the connection is closing or closed");
	}

	static SendRefusedException busy() {
		return new SendRefusedException(Reason.BUSY, ProxiedConnection.MAX_PENDING_SENDS
				+ " messages already wait to be written to this connection");
	}

	/** The kinds of refusal. */
	public enum Reason {

		/** The connection is closing or closed: nothing more is sent to its client. */
		CLOSED,

		/** Over the route's outbound message size limit ({@code MaxMessageSize}). */
		TOO_BIG,

		/** A text message whose payload is not valid UTF-8 (RFC 6455 section 8.1). */
		INVALID_TEXT,

		/** {@link ProxiedConnection#MAX_PENDING_SENDS} messages already wait on the connection. */
		BUSY

	}

}
