package io.wsgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.wsgate.proxy.MeterTags;
import io.wsgate.auth.AuthListener;

/**
 * Meters of upgrade-time authentication:
 * <ul>
 * <li>{@value #AUTHENTICATED}: upgrades a {@code WebSocketAuth} filter accepted, tagged with
 * {@code routeId} and {@code method} ({@code jwt}, {@code api-key}, {@code basic});</li>
 * <li>{@value #REFUSED}: upgrades it refused, tagged with {@code routeId}, {@code reason}
 * ({@code missing}, {@code malformed}, {@code invalid}, {@code expired}, {@code forbidden},
 * {@code origin}, {@code unavailable}) and {@code status}; each is also counted in
 * {@value ConnectionMetrics#CONNECTIONS} with outcome {@code unauthorized}.</li>
 * </ul>
 */
public class AuthMetrics implements AuthListener {

	public static final String AUTHENTICATED = "wsgate.auth.accepted";

	public static final String REFUSED = "wsgate.auth.refused";

	private final MeterRegistry meters;

	public AuthMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	@Override
	public void authenticated(String routeId, String method) {
		Counter.builder(AUTHENTICATED)
			.description("WebSocket upgrades accepted by WebSocketAuth")
			.tag(MeterTags.ROUTE, routeId)
			.tag("method", method)
			.register(this.meters)
			.increment();
	}

	@Override
	public void refused(String routeId, String reason, int status) {
		Counter.builder(REFUSED)
			.description("WebSocket upgrades refused by WebSocketAuth, before reaching the backend")
			.tag(MeterTags.ROUTE, routeId)
			.tag("reason", reason)
			.tag("status", Integer.toString(status))
			.register(this.meters)
			.increment();
		Counter.builder(ConnectionMetrics.CONNECTIONS)
			.description("WebSocket upgrade requests, by outcome")
			.tag(MeterTags.ROUTE, routeId)
			.tag("outcome", "unauthorized")
			.register(this.meters)
			.increment();
	}

}
