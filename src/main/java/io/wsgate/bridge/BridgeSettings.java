package io.wsgate.bridge;

import java.time.Duration;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonPointer;

/**
 * A {@code WebSocketBridge} definition, checked: every problem is an
 * {@link IllegalArgumentException} naming the argument, which refuses the route (at startup,
 * or with a 400 from the route API).
 */
record BridgeSettings(JsonPointer routeSelection, @Nullable String connect, @Nullable String disconnect,
		@Nullable String defaultPath, Map<String, String> routes, Duration requestTimeout, int maxInFlight) {

	/** The most requests one connection may have outstanding. */
	static final int MAX_IN_FLIGHT = 64;

	/** The longest a call may be given. */
	static final Duration MAX_REQUEST_TIMEOUT = Duration.ofMinutes(5);

	static BridgeSettings of(WebSocketBridgeGatewayFilterFactory.Config config) {
		JsonPointer pointer = pointer(config.getRouteSelection());
		Map<String, String> routes = Map.copyOf(config.getRoutes());
		routes.forEach((value, path) -> path("routes." + value, path));
		String defaultPath = path("default", config.getDefault());
		if (routes.isEmpty() && defaultPath == null) {
			throw new IllegalArgumentException(
					"WebSocketBridge needs routes or default: no message would have a path to go to");
		}
		Duration timeout = config.getRequestTimeout();
		if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
			throw new IllegalArgumentException("request-timeout: must be above 0 and at most 5m, not " + timeout);
		}
		if (config.getMaxInFlight() < 1 || config.getMaxInFlight() > MAX_IN_FLIGHT) {
			throw new IllegalArgumentException(
					"max-in-flight: must be from 1 to " + MAX_IN_FLIGHT + ", not " + config.getMaxInFlight());
		}
		return new BridgeSettings(pointer, path("connect", config.getConnect()),
				path("disconnect", config.getDisconnect()), defaultPath, routes, timeout, config.getMaxInFlight());
	}

	private static JsonPointer pointer(@Nullable String value) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException("route-selection: a JSON Pointer is required, for example /action");
		}
		try {
			JsonPointer pointer = JsonPointer.compile(value.trim());
			if (pointer.matches()) {
				throw new IllegalArgumentException("empty");
			}
			return pointer;
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("route-selection: '" + value
					+ "' is not a JSON Pointer to a member (RFC 6901: it starts with /, for example /action)");
		}
	}

	/** A path on the route's URI: absolute, no scheme or authority, no fragment; null stays null. */
	private static @Nullable String path(String argument, @Nullable String value) {
		if (value == null) {
			return null;
		}
		String path = value.trim();
		if (!path.startsWith("/") || path.startsWith("//") || path.contains("#") || path.contains(" ")
				|| path.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
			throw new IllegalArgumentException(argument + ": '" + value
					+ "' is not a path on the route's URI (it starts with /, for example /ws/send)");
		}
		return path;
	}

	@Override
	public String toString() {
		return "[route-selection=" + this.routeSelection + ", connect=" + this.connect + ", disconnect="
				+ this.disconnect + ", default=" + this.defaultPath + ", routes=" + this.routes + ", request-timeout="
				+ this.requestTimeout + ", max-in-flight=" + this.maxInFlight + "]";
	}

}
