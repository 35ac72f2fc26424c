package io.wsgate.metrics;

import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.wsgate.proxy.MeterTags;
import io.wsgate.frames.HookContext;
import io.wsgate.frames.InspectionListener;

/**
 * {@value #DECISIONS}: message inspection decisions other than pass, tagged with
 * {@code routeId}, {@code hook}, {@code direction} ({@code inbound}, {@code outbound}) and
 * {@code decision} ({@code replace}, {@code drop}, {@code close}, {@code timeout}).
 */
public class InspectionMetrics implements InspectionListener {

	public static final String DECISIONS = "wsgate.frames.decisions";

	private final MeterRegistry meters;

	public InspectionMetrics(MeterRegistry meters) {
		this.meters = meters;
	}

	@Override
	public void decided(String routeId, String hook, HookContext.Direction direction, String decision) {
		Counter.builder(DECISIONS)
			.description("Message inspection decisions other than pass")
			.tag(MeterTags.ROUTE, routeId)
			.tag("hook", hook)
			.tag("direction", direction.name().toLowerCase(Locale.ROOT))
			.tag("decision", decision)
			.register(this.meters)
			.increment();
	}

}
