package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.web.reactive.function.client.WebClient;

import io.wsgate.auth.WebSocketAuthGatewayFilterFactory;
import io.wsgate.frames.FrameCaptureGatewayFilterFactory;
import io.wsgate.frames.FrameInspectionGatewayFilterFactory;
import io.wsgate.frames.TrafficCaptures;
import io.wsgate.resources.TrustedResources;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every argument of the filters whose arguments live in classes of their own is found by
 * reflection on the factory's configuration class, nested names by their first segment.
 */
class FilterArgumentsTest {

	private final FilterArguments arguments = new FilterArguments(List.<GatewayFilterFactory> of(
			new WebSocketAuthGatewayFilterFactory(WebClient.create(), List.of(), Schedulers.immediate(),
					TrustedResources.classpathOnly()),
			new FrameInspectionGatewayFilterFactory(new DefaultListableBeanFactory(), List.of(),
					TrustedResources.classpathOnly()),
			new FrameCaptureGatewayFilterFactory(new TrafficCaptures())));

	@Test
	void everyWebSocketAuthArgumentIsKnown() {
		assertThat(problem("WebSocketAuth", "jwt.secret", "jwt.audiences[0]", "api-keys.keys[0].hash",
				"basic.users[0].username", "token-sources", "query-param", "protocol-prefix", "cookie",
				"allowed-origins[0]", "allow-missing-origin", "identity-headers.sub", "identity-claims[0].claim",
				"realm"))
			.isNull();
	}

	@Test
	void everyFrameInspectionArgumentIsKnown() {
		assertThat(problem("FrameInspection", "inbound[0].type", "outbound[0].patterns[0]", "async-timeout",
				"pass-on-timeout", "content-type"))
			.isNull();
	}

	@Test
	void everyFrameCaptureArgumentIsKnown() {
		assertThat(problem("FrameCapture", "max-frames", "max-frames-per-connection", "max-connections",
				"preview-bytes", "mask-patterns[0]", "mask-query-params[0]"))
			.isNull();
	}

	@Test
	void aMisspeltArgumentIsNamed() {
		assertThat(problem("WebSocketAuth", "jwt.secret", "realms"))
			.isEqualTo("filters[0] WebSocketAuth has no argument 'realms'");
		assertThat(problem("FrameInspection", "inbound[0].type", "pass-on-timout"))
			.isEqualTo("filters[0] FrameInspection has no argument 'pass-on-timout'");
		assertThat(problem("FrameCapture", "max-frame"))
			.isEqualTo("filters[0] FrameCapture has no argument 'max-frame'");
	}

	private String problem(String filter, String... names) {
		Map<String, String> args = new LinkedHashMap<>();
		for (String name : names) {
			args.put(name, "x");
		}
		FilterDefinition definition = new FilterDefinition();
		definition.setName(filter);
		definition.setArgs(args);
		RouteDefinition route = new RouteDefinition();
		route.setFilters(List.of(definition));
		return this.arguments.problem(route);
	}

}
