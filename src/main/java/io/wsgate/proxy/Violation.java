package io.wsgate.proxy;

/**
 * What ends the connection: the code and reason its sender gets, and the word logs and
 * metrics use for it ({@code cause}).
 */
record Violation(int code, String reason, String cause) {

	static final String OVER_BUDGET = "buffer-budget";

	static final String TIMED_OUT = "message-timeout";

	static Violation tooBig(long limit) {
		return new Violation(CloseCodes.MESSAGE_TOO_BIG, "message too big: limit is " + limit + " bytes",
				"message-too-big");
	}

	static Violation protocol(String reason) {
		return new Violation(CloseCodes.PROTOCOL_ERROR, reason, "protocol-error");
	}

	/** The gateway-wide message buffer budget is used up: the sender may try again later. */
	static Violation overBudget() {
		return new Violation(CloseCodes.TRY_AGAIN_LATER, "try again later", OVER_BUDGET);
	}

	static Violation timedOut() {
		return new Violation(CloseCodes.POLICY_VIOLATION, "message not completed in time", TIMED_OUT);
	}

	/** Whether this is a refusal worth an operator's attention (resources, not a peer's bug). */
	boolean warns() {
		return this.cause.equals(OVER_BUDGET) || this.cause.equals(TIMED_OUT);
	}

}
