package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

/**
 * The policies route filters put on an exchange for the relay to apply while the connection
 * lives. Filter factories (in this and other packages) fill it in; the relay reads it once,
 * when the connection is established. Anything left unset falls back to the global
 * {@code wsgate.websocket.*} settings.
 */
public final class ConnectionPolicy {

	private static final String ATTRIBUTE = ConnectionPolicy.class.getName();

	private @Nullable MessageLimits messageLimits;

	private @Nullable Expiry expiry;

	private @Nullable IdleTimeout idleTimeout;

	private @Nullable KeepAlive keepAlive;

	private @Nullable Principal principal;

	private @Nullable Deadline deadline;

	private @Nullable MessageInspection inspection;

	private @Nullable FrameTapping tapping;

	private @Nullable MessageEndpoint endpoint;

	private HttpHeaders identity = HttpHeaders.EMPTY;

	/** The exchange's policy, created on first use. */
	public static ConnectionPolicy of(ServerWebExchange exchange) {
		return (ConnectionPolicy) exchange.getAttributes().computeIfAbsent(ATTRIBUTE, key -> new ConnectionPolicy());
	}

	static @Nullable ConnectionPolicy find(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	/**
	 * A route filter that sets part of the policy: what a policy filter factory's
	 * {@code apply} returns. {@code description} is its {@code toString}, as the actuator
	 * shows it.
	 */
	public static GatewayFilter filter(String description, Consumer<ConnectionPolicy> setter) {
		return new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				setter.accept(of(exchange));
				return chain.filter(exchange);
			}

			@Override
			public String toString() {
				return description;
			}
		};
	}

	public @Nullable MessageLimits messageLimits() {
		return this.messageLimits;
	}

	public ConnectionPolicy messageLimits(MessageLimits messageLimits) {
		this.messageLimits = messageLimits;
		return this;
	}

	public @Nullable Expiry expiry() {
		return this.expiry;
	}

	public ConnectionPolicy expiry(Expiry expiry) {
		this.expiry = expiry;
		return this;
	}

	public @Nullable IdleTimeout idleTimeout() {
		return this.idleTimeout;
	}

	public ConnectionPolicy idleTimeout(IdleTimeout idleTimeout) {
		this.idleTimeout = idleTimeout;
		return this;
	}

	public @Nullable KeepAlive keepAlive() {
		return this.keepAlive;
	}

	public ConnectionPolicy keepAlive(KeepAlive keepAlive) {
		this.keepAlive = keepAlive;
		return this;
	}

	/** Who the connection belongs to, when a route filter authenticated the client. */
	public @Nullable Principal principal() {
		return this.principal;
	}

	public ConnectionPolicy principal(Principal principal) {
		this.principal = principal;
		return this;
	}

	public @Nullable Deadline deadline() {
		return this.deadline;
	}

	/** A moment at which the connection ends, whatever else happens (a credential's expiry). */
	public ConnectionPolicy deadline(Deadline deadline) {
		this.deadline = deadline;
		return this;
	}

	public @Nullable MessageInspection inspection() {
		return this.inspection;
	}

	/** Whole messages are inspected on each connection by what {@code inspection} opens. */
	public ConnectionPolicy inspection(MessageInspection inspection) {
		this.inspection = inspection;
		return this;
	}

	public @Nullable FrameTapping tapping() {
		return this.tapping;
	}

	/** Every frame of each connection is reported to what {@code tapping} opens (traffic capture). */
	public ConnectionPolicy tapping(FrameTapping tapping) {
		this.tapping = tapping;
		return this;
	}

	public @Nullable MessageEndpoint endpoint() {
		return this.endpoint;
	}

	/** The gateway serves the connection itself, through {@code endpoint}, instead of dialling a backend. */
	public ConnectionPolicy endpoint(MessageEndpoint endpoint) {
		this.endpoint = endpoint;
		return this;
	}

	/** The identity headers the route's authentication put on the upgrade (empty without any). */
	public HttpHeaders identity() {
		return this.identity;
	}

	public ConnectionPolicy identity(HttpHeaders identity) {
		this.identity = HttpHeaders.readOnlyHttpHeaders(identity);
		return this;
	}

	/**
	 * Checks a close the gateway is configured to send: a code an endpoint may send (1000-1003,
	 * 1007-1014, 3000-4999) and a reason of at most 123 bytes of UTF-8.
	 */
	public static void checkClose(String what, int code, String reason) {
		if (!CloseCodes.isSendable(code)) {
			throw new IllegalArgumentException(what + " code must be one a close frame may carry "
					+ "(1000-1003, 1007-1014, 3000-4999), was " + code);
		}
		if (reason == null || reason.getBytes(StandardCharsets.UTF_8).length > ControlFrames.MAX_REASON_BYTES) {
			throw new IllegalArgumentException(
					what + " reason must be at most " + ControlFrames.MAX_REASON_BYTES + " bytes of UTF-8");
		}
	}

	private static Duration nonNegative(String what, @Nullable Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new IllegalArgumentException(what + " must be 0 (off) or a positive duration, was " + duration);
		}
		return duration;
	}

	/**
	 * Absolute lifetime: {@code after} the connection opened, both sides get a close with
	 * {@code code} and {@code reason}. {@link Duration#ZERO} means unlimited.
	 */
	public record Expiry(Duration after, int code, String reason) {

		public static final Expiry NONE = new Expiry(Duration.ZERO, CloseCodes.GOING_AWAY, "connection expired");

		public Expiry {
			nonNegative("connection expiry", after);
			checkClose("connection expiry", code, reason);
		}

		public boolean enabled() {
			return !this.after.isZero();
		}

	}

	/**
	 * No data message in either direction for {@code after}: both sides get a close with
	 * {@code code} and {@code reason}. Pings and pongs of the peers count as activity only if
	 * {@code pingsCount}; the gateway's own keep-alive pings never do. {@link Duration#ZERO}
	 * means no idle timeout.
	 */
	public record IdleTimeout(Duration after, boolean pingsCount, int code, String reason) {

		public static final IdleTimeout NONE = new IdleTimeout(Duration.ZERO, false, CloseCodes.GOING_AWAY, "idle timeout");

		public IdleTimeout {
			nonNegative("idle timeout", after);
			checkClose("idle timeout", code, reason);
		}

		public boolean enabled() {
			return !this.after.isZero();
		}

	}

	/**
	 * The gateway pings each side every {@code interval}; a side that sends nothing (no pong,
	 * no frame at all) within {@code timeout} of a ping is disconnected. {@link Duration#ZERO}
	 * as the interval means no keep-alive.
	 */
	public record KeepAlive(Duration interval, Duration timeout) {

		public static final KeepAlive NONE = new KeepAlive(Duration.ZERO, Duration.ofSeconds(10));

		public KeepAlive {
			nonNegative("keep-alive interval", interval);
			nonNegative("keep-alive timeout", timeout);
			if (!interval.isZero() && timeout.isZero()) {
				throw new IllegalArgumentException("keep-alive timeout must be positive when pings are sent");
			}
		}

		public boolean enabled() {
			return !this.interval.isZero();
		}

	}

	/**
	 * At {@code at} (wall-clock time) both sides get a close with {@code code} and
	 * {@code reason}; {@code cause} names it in logs and metrics. A deadline already passed when
	 * the connection opens closes it right away.
	 */
	public record Deadline(Instant at, String cause, int code, String reason) {

		public Deadline {
			if (at == null || cause == null || cause.isBlank()) {
				throw new IllegalArgumentException("a deadline needs a time and a cause");
			}
			checkClose("deadline", code, reason);
		}

	}

}
