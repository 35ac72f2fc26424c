package io.wsgate.proxy;

/**
 * The close codes of RFC 6455 section 7.4.1 that the gateway sends, reads or reports, and the
 * rule for which of them may appear in a close frame.
 */
final class CloseCodes {

	static final int NORMAL = 1000;

	/** "Going away": the gateway's code for a peer whose other side left, a shutdown or a timer. */
	static final int GOING_AWAY = 1001;

	static final int PROTOCOL_ERROR = 1002;

	static final int UNSUPPORTED_DATA = 1003;

	/** "No status received": not a code anyone may send; stands for an empty close frame. */
	static final int NO_STATUS = 1005;

	/** "Abnormal closure": not sendable; stands for a connection lost without a close frame. */
	static final int ABNORMAL = 1006;

	/** Data that does not fit the message's type: text that is not UTF-8, compressed data that does not inflate. */
	static final int INVALID_PAYLOAD = 1007;

	static final int POLICY_VIOLATION = 1008;

	static final int MESSAGE_TOO_BIG = 1009;

	/** "Internal error": to a client whose backend vanished or stopped answering, or when inspection failed. */
	static final int INTERNAL_ERROR = 1011;

	static final int TRY_AGAIN_LATER = 1013;

	/** "Bad gateway": to a client whose backend broke the framing or did not finish a message in time. */
	static final int BAD_GATEWAY = 1014;

	private CloseCodes() {
	}

	/** Whether a code may appear in a close frame (RFC 6455 section 7.4). */
	static boolean isSendable(int code) {
		return (code >= NORMAL && code <= UNSUPPORTED_DATA) || (code >= INVALID_PAYLOAD && code <= BAD_GATEWAY)
				|| (code >= 3000 && code <= 4999);
	}

}
