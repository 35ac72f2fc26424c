package io.wsgate.proxy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.LongPredicate;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.jspecify.annotations.Nullable;

/**
 * permessage-deflate (RFC 7692) as the gateway speaks it, on each side on its own. The
 * gateway compresses every message on its own (no context takeover), with a compressor per
 * event-loop thread, not per connection. It inflates with one per thread too, unless the peer
 * keeps its compression context across messages (it did not agree to no context takeover):
 * then that connection has an inflater of its own, ended with it. Inflating is bounded: a
 * message that inflates past the limit stops there (no decompression bombs).
 */
final class PerMessageDeflate {

	static final String HEADER = "Sec-WebSocket-Extensions";

	/**
	 * What the gateway offers a backend: it compresses each message on its own. (Asking the
	 * backend to do the same, with server_no_context_takeover, would make some servers, Netty's
	 * among them, refuse compression altogether.)
	 */
	static final String OFFER = "permessage-deflate; client_no_context_takeover";

	/**
	 * What the gateway answers a client whose offer it accepts: it compresses each message on
	 * its own, and asks the client to do the same only if the client offered to (some clients,
	 * Netty's among them, refuse an answer that asks it unoffered).
	 */
	static String response(boolean clientOfferedNoContextTakeover) {
		return clientOfferedNoContextTakeover ? "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
				: "permessage-deflate; server_no_context_takeover";
	}

	private static final byte[] TAIL = { 0x00, 0x00, (byte) 0xFF, (byte) 0xFF };

	private static final ThreadLocal<Inflater> inflaters = ThreadLocal.withInitial(() -> new Inflater(true));

	private static final ThreadLocal<Deflater> deflaters = ThreadLocal
		.withInitial(() -> new Deflater(Deflater.DEFAULT_COMPRESSION, true));

	private PerMessageDeflate() {
	}

	/**
	 * The parameters (lower case) of the client's first permessage-deflate offer the gateway
	 * can accept, or null if there is none. Any offer is acceptable but one asking the gateway
	 * to compress with a window under 15 bits (which java.util.zip cannot do).
	 */
	static @Nullable List<String> acceptedClientOffer(@Nullable List<String> headerValues) {
		if (headerValues == null) {
			return null;
		}
		for (String value : headerValues) {
			for (String offer : value.split(",")) {
				String[] parts = offer.split(";");
				if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
					continue;
				}
				boolean acceptable = true;
				List<String> params = new ArrayList<>();
				for (int i = 1; i < parts.length; i++) {
					String param = parts[i].trim().toLowerCase(Locale.ROOT);
					params.add(param);
					int eq = param.indexOf('=');
					String arg = (eq >= 0) ? param.substring(eq + 1).trim().replace("\"", "") : null;
					switch (parameterName(param)) {
						case "client_no_context_takeover", "server_no_context_takeover", "client_max_window_bits" -> {
						}
						case "server_max_window_bits" -> acceptable &= "15".equals(arg);
						default -> acceptable = false;
					}
				}
				if (acceptable) {
					return params;
				}
			}
		}
		return null;
	}

	/**
	 * Why a backend's answer to {@link #OFFER} cannot be used, or null if it can. It must name
	 * permessage-deflate once and not limit the gateway's window (which java.util.zip cannot).
	 */
	static @Nullable String problemWithAnswer(String value) {
		String[] extensions = value.split(",");
		if (extensions.length != 1) {
			return "more than one extension negotiated";
		}
		String[] parts = extensions[0].split(";");
		if (!parts[0].trim().equalsIgnoreCase("permessage-deflate")) {
			return "extension negotiated that was not offered";
		}
		for (int i = 1; i < parts.length; i++) {
			String param = parts[i].trim().toLowerCase(Locale.ROOT);
			String name = parameterName(param);
			switch (name) {
				case "server_no_context_takeover", "client_no_context_takeover", "server_max_window_bits" -> {
				}
				default -> {
					return "permessage-deflate parameter " + name + " is not supported";
				}
			}
		}
		return null;
	}

	/** An extension parameter's name: what comes before {@code =}, if anything does. */
	private static String parameterName(String param) {
		int eq = param.indexOf('=');
		return (eq >= 0) ? param.substring(0, eq).trim() : param;
	}

	/** Whether an extension header's permessage-deflate has {@code parameter}. */
	static boolean hasParameter(@Nullable String value, String parameter) {
		if (value == null) {
			return false;
		}
		for (String part : value.split(";")) {
			if (part.trim().equalsIgnoreCase(parameter)) {
				return true;
			}
		}
		return false;
	}

	/** A message too big once inflated. */
	static final class TooBigException extends Exception {

		TooBigException() {
			super(null, null, false, false);
		}

	}

	/** A message whose inflated bytes the message buffer budget could not hold. */
	static final class OverBudgetException extends Exception {

		OverBudgetException() {
			super(null, null, false, false);
		}

	}

	/**
	 * Inflates a compressed message, at most {@code limit} bytes, each growth of the output
	 * first reserved with {@code reserve} (given the bytes added).
	 * @return the message, exactly sized
	 * @throws TooBigException when it inflates past {@code limit}
	 * @throws OverBudgetException when {@code reserve} refuses a growth
	 * @throws DataFormatException when it is not deflate data
	 */
	static byte[] inflate(byte[] compressed, int length, long limit, LongPredicate reserve)
			throws TooBigException, OverBudgetException, DataFormatException {
		Inflater inflater = inflaters.get();
		inflater.reset();
		return inflate(inflater, compressed, length, limit, reserve);
	}

	/**
	 * Inflates with {@code inflater} as it is: a connection's own, when its peer keeps the
	 * compression context from one message to the next.
	 */
	static byte[] inflate(Inflater inflater, byte[] compressed, int length, long limit, LongPredicate reserve)
			throws TooBigException, OverBudgetException, DataFormatException {
		byte[] out = grow(null, (int) Math.min(limit + 1, Math.max(64, Math.min(length * 4L, 1 << 16))), reserve);
		int size = 0;
		inflater.setInput(compressed, 0, length);
		boolean tailGiven = false;
		while (true) {
			if (size == out.length) {
				if (size > limit) {
					throw new TooBigException();
				}
				out = grow(out, (int) Math.min(limit + 1, out.length * 2L), reserve);
			}
			int n = inflater.inflate(out, size, out.length - size);
			size += n;
			if (size > limit) {
				throw new TooBigException();
			}
			if (n == 0) {
				if (inflater.finished() || inflater.needsDictionary()) {
					break;
				}
				if (inflater.needsInput()) {
					if (tailGiven) {
						break;
					}
					inflater.setInput(TAIL);
					tailGiven = true;
				}
			}
		}
		return (size == out.length) ? out : Arrays.copyOf(out, size);
	}

	/** {@code out} (null: none yet) as an array of {@code size}, once {@code reserve} allowed the growth. */
	private static byte[] grow(byte @Nullable [] out, int size, LongPredicate reserve) throws OverBudgetException {
		int current = (out != null) ? out.length : 0;
		if (!reserve.test(size - current)) {
			throw new OverBudgetException();
		}
		return (out != null) ? Arrays.copyOf(out, size) : new byte[size];
	}

	/** Deflates a message as RFC 7692 wants it: a sync-flushed block without its 4-byte tail. */
	static byte[] deflate(byte[] message, int length) {
		Deflater deflater = deflaters.get();
		deflater.reset();
		deflater.setInput(message, 0, length);
		byte[] out = new byte[Math.max(64, length / 2 + 64)];
		int size = 0;
		while (true) {
			int n = deflater.deflate(out, size, out.length - size, Deflater.SYNC_FLUSH);
			size += n;
			if (size < out.length) {
				break; // the flush fit: all input is out
			}
			out = Arrays.copyOf(out, out.length * 2);
		}
		if (size >= 4 && out[size - 4] == 0 && out[size - 3] == 0 && out[size - 2] == (byte) 0xFF
				&& out[size - 1] == (byte) 0xFF) {
			size -= 4;
		}
		if (size == 0) {
			return new byte[] { 0x00 }; // an empty message (RFC 7692 section 7.2.3.6)
		}
		return Arrays.copyOf(out, size);
	}

}
