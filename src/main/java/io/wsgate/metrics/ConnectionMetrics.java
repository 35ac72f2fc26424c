package io.wsgate.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.wsgate.proxy.ConnectionListener;
import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;

/**
 * Meters of the proxied connections:
 * <ul>
 * <li>{@value #ACTIVE}: connections open or in their handshake (gauge);</li>
 * <li>{@value #GATEWAY_CLOSES}: closes the gateway initiated, tagged with {@code cause}
 * ({@code expired}, {@code idle}, {@code unresponsive}, {@code shutdown},
 * {@code message-too-big}, {@code protocol-error}, {@code peer-lost}, ...) and
 * {@code route}.</li>
 * </ul>
 */
public class ConnectionMetrics implements ConnectionListener {

	public static final String ACTIVE = "wsgate.connections.active";

	public static final String GATEWAY_CLOSES = "wsgate.connections.gateway.closes";

	private final MeterRegistry meters;

	public ConnectionMetrics(MeterRegistry meters, ConnectionRegistry registry) {
		this.meters = meters;
		Gauge.builder(ACTIVE, registry, ConnectionRegistry::size)
			.description("WebSocket connections open or in their handshake")
			.register(meters);
		registry.addListener(this);
	}

	@Override
	public void closedByGateway(ProxiedConnection connection, String cause, int code) {
		Counter.builder(GATEWAY_CLOSES)
			.description("WebSocket connections the gateway closed itself, by cause")
			.tag("cause", cause)
			.tag("route", connection.routeId())
			.register(this.meters)
			.increment();
	}

}
