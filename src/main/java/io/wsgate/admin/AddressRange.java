package io.wsgate.admin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * One entry of {@code wsgate.routes.backends.allow}: an address, a CIDR range
 * ({@code 127.0.0.0/8}, {@code fd00::/8}) or a host name ({@code sidecar.local}, matched
 * exactly, in any case).
 */
public final class AddressRange {

	private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|.*:.*");

	private static final Pattern HOST_NAME = Pattern
		.compile("(?i)[a-z0-9_]([a-z0-9_-]{0,62})(\\.[a-z0-9_]([a-z0-9_-]{0,62}))*\\.?");

	private final String text;

	private final byte @Nullable [] network;

	private final int prefix;

	private final @Nullable String host;

	private AddressRange(String text, byte @Nullable [] network, int prefix, @Nullable String host) {
		this.text = text;
		this.network = network;
		this.prefix = prefix;
		this.host = host;
	}

	/** Bound from configuration. @throws IllegalArgumentException if it is none of the three */
	public static AddressRange valueOf(String text) {
		String entry = text.strip();
		int slash = entry.indexOf('/');
		String address = (slash >= 0) ? entry.substring(0, slash) : entry;
		if (!IP_LITERAL.matcher(address).matches()) {
			if (slash < 0 && HOST_NAME.matcher(entry).matches()) {
				return new AddressRange(entry, null, 0, entry.toLowerCase(Locale.ROOT));
			}
			throw new IllegalArgumentException("'" + text + "' is no address, CIDR range or host name");
		}
		byte[] bytes = literal(address, text);
		int prefix = bytes.length * 8;
		if (slash >= 0) {
			try {
				prefix = Integer.parseInt(entry.substring(slash + 1));
			}
			catch (NumberFormatException ex) {
				prefix = -1;
			}
			if (prefix < 0 || prefix > bytes.length * 8) {
				throw new IllegalArgumentException("'" + text + "' has a prefix length that is not 0 to "
						+ bytes.length * 8);
			}
		}
		return new AddressRange(entry, bytes, prefix, null);
	}

	private static byte[] literal(String address, String text) {
		try {
			// a literal (digits, dots, colons): parsed without any name lookup
			return InetAddress.getByName(address).getAddress();
		}
		catch (UnknownHostException | RuntimeException ex) {
			throw new IllegalArgumentException("'" + text + "' is not a valid IP address or CIDR range");
		}
	}

	boolean matchesHost(String name) {
		String host = name.toLowerCase(Locale.ROOT);
		return this.host != null && (this.host.equals(host) || this.host.equals(host + "."));
	}

	boolean contains(InetAddress address) {
		byte[] network = this.network;
		if (network == null) {
			return false;
		}
		byte[] bytes = address.getAddress();
		if (bytes.length != network.length) {
			return false;
		}
		int full = this.prefix / 8;
		for (int i = 0; i < full; i++) {
			if (bytes[i] != network[i]) {
				return false;
			}
		}
		int rest = this.prefix % 8;
		if (rest == 0) {
			return true;
		}
		int mask = (0xff << (8 - rest)) & 0xff;
		return (bytes[full] & mask) == (network[full] & mask);
	}

	@Override
	public String toString() {
		return this.text;
	}

}
