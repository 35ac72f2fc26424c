package io.wsgate.frames;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

import io.wsgate.frames.TrafficCaptures.RouteCapture;

/**
 * {@code GET /actuator/wstraffic}: the traffic of routes with {@code FrameCapture}, newest
 * first. Filters: {@code route}, {@code connection}, {@code direction} ({@code inbound} or
 * {@code outbound}), {@code limit} (frames and connections per route; default 100, at most 1000).
 */
@Endpoint(id = "wstraffic")
public class TrafficEndpoint {

	static final int DEFAULT_LIMIT = 100;

	static final int MAX_LIMIT = 1000;

	private final TrafficCaptures captures;

	public TrafficEndpoint(TrafficCaptures captures) {
		this.captures = captures;
	}

	@ReadOperation
	public Map<String, Object> traffic(@Nullable String route, @Nullable String connection,
			@Nullable String direction, @Nullable Integer limit) {
		int max = (limit == null || limit <= 0) ? DEFAULT_LIMIT : Math.min(limit, MAX_LIMIT);
		List<Map<String, Object>> routes = new ArrayList<>();
		this.captures.routes().values().stream()
			.filter(capture -> route == null || route.equals(capture.routeId()))
			.sorted(Comparator.comparing(RouteCapture::routeId))
			.forEach(capture -> {
				Map<String, Object> entry = new LinkedHashMap<>();
				entry.put("route", capture.routeId());
				entry.put("framesSeen", capture.framesSeen());
				entry.put("framesKept", capture.framesKept());
				entry.put("framesNotKept", capture.framesNotKept());
				entry.put("connections", capture.connections(connection, max));
				entry.put("frames", capture.frames(connection, direction, max));
				routes.add(entry);
			});
		return Map.of("routes", routes);
	}

}
