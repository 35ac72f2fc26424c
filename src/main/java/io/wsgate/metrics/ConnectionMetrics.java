package io.wsgate.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.wsgate.proxy.MeterTags;
import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.ConnectionListener;
import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.ProxiedConnection.Traffic;

/**
 * Meters of the proxied connections:
 * <ul>
 * <li>{@value #ACTIVE}: open connections, tagged with {@code routeId} (gauge);</li>
 * <li>{@value #OPEN}: open connections as long tasks, tagged with {@code routeId} (long task
 * timer: how many, their total and longest time open, for tracing-style views of a connection's
 * life);</li>
 * <li>{@value #HANDSHAKING}: connections in their handshake (gauge; with the open ones, what
 * {@code max-connections} bounds);</li>
 * <li>{@value #CONNECTIONS}: upgrade requests, tagged with {@code routeId} and {@code outcome}
 * ({@code upgraded}, {@code refused}, {@code failed}, {@code rejected}, {@code cancelled};
 * {@code unauthorized} is counted by {@link AuthMetrics});</li>
 * <li>{@value #HANDSHAKE}: time from the upgrade request reaching the proxy to its answer,
 * tagged with {@code routeId} and {@code status} (101 for an upgrade);</li>
 * <li>{@value #FRAMES}: frames relayed, tagged with {@code routeId}, {@code direction}
 * ({@code inbound}: client to backend, {@code outbound}) and {@code type} ({@code text},
 * {@code binary}, {@code continuation}, {@code ping}, {@code pong}, {@code close});</li>
 * <li>{@value #BYTES}: bytes relayed (frame headers included), tagged with {@code routeId} and
 * {@code direction};</li>
 * <li>{@value #CLOSES}: connections ended, tagged with {@code routeId}, {@code code} (the close
 * code, 1005 for an empty close frame, 1006 for none; application codes grouped as {@code 3xxx}
 * and {@code 4xxx}, and anything else as {@code other}, unless the route's metadata has
 * {@code exact-close-codes: true}) and {@code initiator} ({@code client}, {@code backend},
 * {@code gateway});</li>
 * <li>{@value #GATEWAY_CLOSES}: closes the gateway initiated, tagged with {@code cause}
 * ({@code expired}, {@code idle}, {@code unresponsive}, {@code shutdown},
 * {@code message-too-big}, {@code protocol-error}, {@code buffer-budget}, {@code message-timeout},
 * {@code peer-lost}, {@code admin}, ...) and
 * {@code routeId}.</li>
 * </ul>
 * The relay updates no meter per frame: frames and bytes are function counters that add the
 * counters of a route's open connections (read when the meters are) to those of its closed
 * ones (folded in when each connection ends).
 *
 * <p>A route that is gone (deleted, or no longer configured, after a refresh) has every meter
 * tagged with its id removed, once its last connection has closed: series of deleted routes do
 * not pile up until a restart.
 */
public class ConnectionMetrics implements ConnectionListener {

	public static final String ACTIVE = "wsgate.connections.active";

	public static final String HANDSHAKING = "wsgate.connections.handshaking";

	public static final String CONNECTIONS = "wsgate.connections";

	public static final String HANDSHAKE = "wsgate.handshake.duration";

	public static final String FRAMES = "wsgate.frames";

	public static final String BYTES = "wsgate.bytes";

	public static final String CLOSES = "wsgate.closes";

	public static final String GATEWAY_CLOSES = "wsgate.connections.gateway.closes";

	public static final String OPEN = "wsgate.connections.open";

	/** The start-up warm-up's route ({@code proxy.Warmup}), whose series stay after it is gone. */
	static final String WARMUP_ROUTE = "wsgate-warmup";

	/** The route metadata that keeps application close codes exact in {@value #CLOSES}. */
	public static final String EXACT_CLOSE_CODES = "exact-close-codes";

	private static final String[] TYPES = { "text", "binary", "continuation", "ping", "pong", "close" };

	private static final String[] DIRECTIONS = { "inbound", "outbound" };

	private final MeterRegistry meters;

	private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();

	/** The routes whose {@value #CLOSES} carry their exact application close codes. */
	private volatile Set<String> exactCloseCodes = Set.of();

	/** The routes that are gone and whose meters go once their last connection has closed. */
	private final Set<String> gone = ConcurrentHashMap.newKeySet();

	public ConnectionMetrics(MeterRegistry meters, ConnectionRegistry registry) {
		this.meters = meters;
		Gauge.builder(HANDSHAKING, registry, r -> Math.max(0, r.size() - r.connections().size()))
			.description("WebSocket connections in their handshake")
			.register(meters);
		registry.addListener(this);
	}

	@Override
	public void opened(ProxiedConnection connection) {
		RouteMeters route = route(connection.routeId());
		route.live.put(connection, route.open.start());
	}

	@Override
	public void closed(ProxiedConnection connection) {
		RouteMeters route = route(connection.routeId());
		// out of the open ones first: a reading in between is a little low, never too high
		LongTaskTimer.Sample open = route.live.remove(connection);
		if (open != null) {
			open.stop();
		}
		route.fold(connection.inbound(), 0);
		route.fold(connection.outbound(), 1);
		CloseStatus status = connection.closeStatus();
		int code = (status != null) ? status.code() : 1006;
		String initiator = (status != null) ? status.initiator().toString() : "unknown";
		String codeTag = codeTag(code, this.exactCloseCodes.contains(connection.routeId()));
		cached(route.closes, codeTag + " " + initiator, key -> Counter.builder(CLOSES)
			.description("WebSocket connections ended, by close code and who closed first")
			.tag(MeterTags.ROUTE, connection.routeId())
			.tag("code", codeTag)
			.tag("initiator", initiator)
			.register(this.meters)).increment();
		if (this.gone.contains(connection.routeId()) && route.live.isEmpty()) {
			removeMeters(connection.routeId());
		}
	}

	/**
	 * The {@code code} tag: the protocol's codes (1000-1015) as they are; application codes
	 * (3000-4999, as many as applications invent) grouped unless the route asked for them exact;
	 * anything else {@code other}. Bounds the number of series a client can make.
	 */
	static String codeTag(int code, boolean exact) {
		if (code >= 1000 && code <= 1015) {
			return Integer.toString(code);
		}
		if (code >= 3000 && code <= 4999) {
			return exact ? Integer.toString(code) : (code / 1000) + "xxx";
		}
		return "other";
	}

	/**
	 * The routes as they are after a refresh: the meters of routes that are gone are removed
	 * (at once, or when their last connection closes); {@code exactCloseCodes} names the routes
	 * with {@code exact-close-codes: true} in their metadata.
	 */
	public void routesRefreshed(Set<String> routeIds, Set<String> exactCloseCodes) {
		this.exactCloseCodes = Set.copyOf(exactCloseCodes);
		this.gone.removeAll(routeIds);
		for (String routeId : Set.copyOf(this.routes.keySet())) {
			if (routeIds.contains(routeId) || routeId.equals("-") || routeId.equals(WARMUP_ROUTE)) {
				continue; // before a route matched; the start-up warm-up's, kept as docs/observability.md says
			}
			RouteMeters route = this.routes.get(routeId);
			this.gone.add(routeId);
			if (route != null && route.live.isEmpty()) {
				removeMeters(routeId);
			}
		}
	}

	/** Removes every meter tagged with the route (this class's, and the auth, inspection and bridge ones). */
	private void removeMeters(String routeId) {
		this.gone.remove(routeId);
		this.routes.remove(routeId);
		for (Meter meter : List.copyOf(this.meters.getMeters())) {
			if (meter.getId().getName().startsWith("wsgate.") && routeId.equals(meter.getId().getTag(MeterTags.ROUTE))) {
				this.meters.remove(meter);
			}
		}
	}

	@Override
	public void handshake(String routeId, int status, String outcome, long nanos) {
		RouteMeters route = route(routeId);
		cached(route.handshakes, status, key -> Timer.builder(HANDSHAKE)
			.description("Time from an upgrade request reaching the proxy to its answer")
			.tag(MeterTags.ROUTE, routeId)
			.tag("status", Integer.toString(status))
			.register(this.meters)).record(nanos, TimeUnit.NANOSECONDS);
		cached(route.outcomes, outcome, key -> Counter.builder(CONNECTIONS)
			.description("WebSocket upgrade requests, by outcome")
			.tag(MeterTags.ROUTE, routeId)
			.tag("outcome", outcome)
			.register(this.meters)).increment();
	}

	/** A meter looked up once per key: the registry's own lookup hashes every tag, on each call. */
	private static <K, M> M cached(Map<K, M> meters, K key, Function<K, M> register) {
		M meter = meters.get(key);
		return (meter != null) ? meter : meters.computeIfAbsent(key, register);
	}

	@Override
	public void closedByGateway(ProxiedConnection connection, String cause, int code) {
		Counter.builder(GATEWAY_CLOSES)
			.description("WebSocket connections the gateway closed itself, by cause")
			.tag("cause", cause)
			.tag(MeterTags.ROUTE, connection.routeId())
			.register(this.meters)
			.increment();
	}

	private RouteMeters route(String routeId) {
		RouteMeters route = this.routes.get(routeId);
		return (route != null) ? route : this.routes.computeIfAbsent(routeId, this::register);
	}

	private RouteMeters register(String routeId) {
		RouteMeters route = new RouteMeters();
		Gauge.builder(ACTIVE, route.live, Map::size)
			.description("Open WebSocket connections")
			.tag(MeterTags.ROUTE, routeId)
			.register(this.meters);
		route.open = LongTaskTimer.builder(OPEN)
			.description("Open WebSocket connections, as long tasks: how many, and how long they have been open")
			.tag(MeterTags.ROUTE, routeId)
			.register(this.meters);
		for (int direction = 0; direction < 2; direction++) {
			for (int type = 0; type < TYPES.length; type++) {
				int index = type;
				FunctionCounter.builder(FRAMES, route.counter(direction, type, traffic -> count(traffic, index)),
						MonotonicCount::value)
					.description("WebSocket frames relayed")
					.tag(MeterTags.ROUTE, routeId)
					.tag("direction", DIRECTIONS[direction])
					.tag("type", TYPES[type])
					.register(this.meters);
			}
			FunctionCounter.builder(BYTES, route.counter(direction, TYPES.length, Traffic::bytes), MonotonicCount::value)
				.description("WebSocket bytes relayed, frame headers included")
				.baseUnit("bytes")
				.tag(MeterTags.ROUTE, routeId)
				.tag("direction", DIRECTIONS[direction])
				.register(this.meters);
		}
		return route;
	}

	private static long count(Traffic traffic, int type) {
		return switch (type) {
			case 0 -> traffic.text();
			case 1 -> traffic.binary();
			case 2 -> traffic.continuation();
			case 3 -> traffic.ping();
			case 4 -> traffic.pong();
			default -> traffic.close();
		};
	}

	/** One route's open connections and what its closed ones counted. */
	private static final class RouteMeters {

		/** The open connections, each with its sample of {@value #OPEN}. */
		final Map<ProxiedConnection, LongTaskTimer.Sample> live = new ConcurrentHashMap<>();

		LongTaskTimer open;

		/** {@value #HANDSHAKE} by status, {@value #CONNECTIONS} by outcome, {@value #CLOSES} by code and initiator. */
		final Map<Integer, Timer> handshakes = new ConcurrentHashMap<>();

		final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

		final Map<String, Counter> closes = new ConcurrentHashMap<>();

		/** [direction][type, then bytes]. */
		final MonotonicCount[][] counts = new MonotonicCount[2][TYPES.length + 1];

		MonotonicCount counter(int direction, int index, ToLongFunction<Traffic> value) {
			MonotonicCount count = new MonotonicCount(this, direction, value);
			this.counts[direction][index] = count;
			return count;
		}

		void fold(Traffic traffic, int direction) {
			for (MonotonicCount count : this.counts[direction]) {
				count.closed.add(count.value.applyAsLong(traffic));
			}
		}

	}

	/**
	 * One function counter's value: the closed connections' total plus the open ones'
	 * counters, never lower than a value it gave before (a connection being folded in may be
	 * missed once, which would otherwise look like a counter reset).
	 */
	private static final class MonotonicCount {

		final RouteMeters route;

		final int direction;

		final ToLongFunction<Traffic> value;

		final LongAdder closed = new LongAdder();

		final AtomicLong highest = new AtomicLong();

		MonotonicCount(RouteMeters route, int direction, ToLongFunction<Traffic> value) {
			this.route = route;
			this.direction = direction;
			this.value = value;
		}

		double value() {
			long sum = this.closed.sum();
			for (ProxiedConnection connection : this.route.live.keySet()) {
				sum += this.value.applyAsLong((this.direction == 0) ? connection.inbound() : connection.outbound());
			}
			return this.highest.accumulateAndGet(sum, Math::max);
		}

	}

}
