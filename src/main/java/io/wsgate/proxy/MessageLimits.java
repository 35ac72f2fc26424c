package io.wsgate.proxy;

import org.springframework.util.unit.DataSize;

/**
 * Largest message, in bytes, accepted in each direction of a connection; {@link #UNLIMITED}
 * for no limit. Inbound is client to backend, outbound is backend to client.
 */
public record MessageLimits(long inbound, long outbound) {

	/** No limit. */
	public static final long UNLIMITED = -1;

	public MessageLimits {
		if (!isValid(inbound) || !isValid(outbound)) {
			throw new IllegalArgumentException("a message size limit is -1 (unlimited) or positive");
		}
	}

	static MessageLimits both(DataSize size) {
		return new MessageLimits(size.toBytes(), size.toBytes());
	}

	static boolean isValid(DataSize size) {
		return isValid(size.toBytes());
	}

	static boolean isValid(long bytes) {
		return bytes == UNLIMITED || bytes > 0;
	}

}
