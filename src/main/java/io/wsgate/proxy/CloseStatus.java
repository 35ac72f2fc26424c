package io.wsgate.proxy;

import java.util.Locale;

/**
 * How a connection ended: the close code (1005 for an empty close frame, 1006 for a
 * connection lost without one), the reason, and who started it.
 */
public record CloseStatus(int code, String reason, Initiator initiator) {

	/** Who ended a connection first. */
	public enum Initiator {

		CLIENT, BACKEND, GATEWAY;

		static Initiator of(Side side) {
			return (side == Side.CLIENT) ? CLIENT : BACKEND;
		}

		@Override
		public String toString() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
