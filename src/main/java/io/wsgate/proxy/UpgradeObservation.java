package io.wsgate.proxy;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import io.micrometer.observation.transport.RequestReplySenderContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * The Micrometer Observations of one upgrade, made while tracing is on (a no-op registry
 * otherwise, which costs nothing per upgrade):
 * <ul>
 * <li>{@value #UPGRADE}: the client's upgrade, from its request to the gateway's answer (101 or
 * a refusal); it continues the client's trace ({@code traceparent} and the other propagation
 * formats of {@code management.tracing.propagation.consume});</li>
 * <li>{@value #BACKEND}: its child, the backend's handshake (or the bridge's connect call),
 * whose trace context goes to the backend in the handshake's headers.</li>
 * </ul>
 * Both carry {@code routeId}, {@code status} and {@code outcome} (as
 * {@code wsgate.handshake.duration} and {@code wsgate.connections} do).
 */
final class UpgradeObservation {

	static final String UPGRADE = "wsgate.upgrade";

	static final String BACKEND = "wsgate.backend.handshake";

	private final ObservationRegistry registry;

	private final Observation upgrade;

	private final String routeId;

	private @Nullable Observation backend;

	private UpgradeObservation(ObservationRegistry registry, Observation upgrade, String routeId) {
		this.registry = registry;
		this.upgrade = upgrade;
		this.routeId = routeId;
	}

	/** What every upgrade shares while tracing is off: nothing is made or kept per upgrade. */
	private static final UpgradeObservation NONE = new UpgradeObservation(ObservationRegistry.NOOP, Observation.NOOP, "-");

	/** Starts the upgrade's observation, continuing the trace the client's headers carry. */
	static UpgradeObservation start(ObservationRegistry registry, HttpHeaders request, String routeId) {
		if (registry.isNoop()) {
			return NONE;
		}
		Observation upgrade = Observation.createNotStarted(UPGRADE, () -> {
			RequestReplyReceiverContext<HttpHeaders, Object> context = new RequestReplyReceiverContext<>(
					(carrier, key) -> carrier.getFirst(key));
			context.setCarrier(request);
			return context;
		}, registry)
			.contextualName("websocket upgrade")
			.lowCardinalityKeyValue(MeterTags.ROUTE, routeId)
			.start();
		return new UpgradeObservation(registry, upgrade, routeId);
	}

	/**
	 * The backend's handshake starts: its observation's trace context is written into the
	 * handshake's headers (before they are sent).
	 */
	void backendStarting(DefaultHttpHeaders headers) {
		if (this.upgrade.isNoop()) {
			return;
		}
		this.backend = Observation.createNotStarted(BACKEND, () -> {
			RequestReplySenderContext<DefaultHttpHeaders, Object> context = new RequestReplySenderContext<>(
					(carrier, key, value) -> {
						if (carrier != null) {
							carrier.set(key, value);
						}
					});
			context.setCarrier(headers);
			return context;
		}, this.registry)
			.contextualName("websocket backend handshake")
			.lowCardinalityKeyValue(MeterTags.ROUTE, this.routeId)
			.parentObservation(this.upgrade)
			.start();
	}

	/** The backend's handshake ended: 101, the backend's refusal, or 502/504 with the failure. */
	void backendDone(int status, String outcome, @Nullable Throwable failure) {
		Observation backend = this.backend;
		if (backend == null) {
			return;
		}
		this.backend = null;
		if (failure != null && !"refused".equals(outcome)) {
			backend.error(failure);
		}
		stop(backend, status, outcome);
	}

	/** The client got its answer (0: it left first); ends the backend's observation too if still open. */
	void answered(int status, String outcome) {
		if (this.upgrade.isNoop()) {
			return;
		}
		backendDone(status, outcome, null);
		stop(this.upgrade, status, outcome);
	}

	private static void stop(Observation observation, int status, String outcome) {
		observation.lowCardinalityKeyValue(KeyValue.of("status", String.valueOf(status)))
			.lowCardinalityKeyValue(KeyValue.of("outcome", outcome))
			.stop();
	}

}
