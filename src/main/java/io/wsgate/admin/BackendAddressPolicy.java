package io.wsgate.admin;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Where runtime routes may send traffic: never to the gateway's own host (loopback), link-local
 * addresses, cloud metadata services ({@code 169.254.169.254}, {@code fd00:ec2::254},
 * {@code 100.100.100.200}) or the unspecified address, unless an entry of
 * {@code wsgate.routes.backends.allow} names the address, its range or the host name. Host
 * names are resolved when the route is validated and every address they resolve to is checked.
 * Private ranges (10/8, 192.168/16, fc00::/7, ...) are where backends live and are allowed.
 * {@code lb:} routes name a configured pool and are not checked.
 */
final class BackendAddressPolicy {

	private static final Set<String> CHECKED_SCHEMES = Set.of("ws", "wss", "http", "https");

	private static final List<AddressRange> METADATA = List.of(AddressRange.valueOf("169.254.169.254"),
			AddressRange.valueOf("fd00:ec2::254"), AddressRange.valueOf("100.100.100.200"));

	private final List<AddressRange> allowed;

	private final Duration resolveTimeout;

	BackendAddressPolicy(List<AddressRange> allowed, Duration resolveTimeout) {
		this.allowed = List.copyOf(allowed);
		this.resolveTimeout = resolveTimeout;
	}

	/**
	 * Why the route's backend is refused, or {@code null} if it is not. Resolves the host; may
	 * block up to the resolve timeout, so never on an event loop.
	 */
	@Nullable String refusal(URI uri) {
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		String host = uri.getHost();
		if (!CHECKED_SCHEMES.contains(scheme) || host == null) {
			return null;
		}
		String name = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
		if (this.allowed.stream().anyMatch(range -> range.matchesHost(name))) {
			return null;
		}
		InetAddress[] addresses;
		try {
			addresses = resolve(name);
		}
		catch (UnknownHostException ex) {
			return "the backend host " + name + " cannot be resolved";
		}
		for (InetAddress address : addresses) {
			String denied = denied(address);
			if (denied != null && this.allowed.stream().noneMatch(range -> range.contains(address))) {
				return "the backend " + name
						+ (name.equals(address.getHostAddress()) ? "" : " (" + address.getHostAddress() + ")") + " is "
						+ denied + ", which runtime routes may not reach; allow it with wsgate.routes.backends.allow";
			}
		}
		return null;
	}

	private InetAddress[] resolve(String name) throws UnknownHostException {
		try {
			InetAddress[] addresses = Mono.fromCallable(() -> InetAddress.getAllByName(name))
				.subscribeOn(Schedulers.boundedElastic())
				.block(this.resolveTimeout);
			return (addresses != null) ? addresses : new InetAddress[0];
		}
		catch (RuntimeException ex) {
			Throwable cause = Exceptions.unwrap(ex);
			if (cause instanceof UnknownHostException unknown) {
				throw unknown;
			}
			throw new UnknownHostException(name + " (no answer within " + this.resolveTimeout.toMillis() + " ms)");
		}
	}

	/** What kind of denied address it is, or {@code null}. */
	static @Nullable String denied(InetAddress address) {
		if (METADATA.stream().anyMatch(range -> range.contains(address))) {
			return "a cloud metadata address";
		}
		if (address.isLoopbackAddress()) {
			return "a loopback address";
		}
		if (address.isLinkLocalAddress()) {
			return "a link-local address";
		}
		if (address.isAnyLocalAddress() || isZeroNetwork(address)) {
			return "the unspecified address";
		}
		return null;
	}

	private static boolean isZeroNetwork(InetAddress address) {
		byte[] bytes = address.getAddress();
		return bytes.length == 4 && bytes[0] == 0 || bytes.length == 16 && Arrays.equals(bytes, new byte[16]);
	}

	@Override
	public String toString() {
		return "allow=" + this.allowed;
	}

}
