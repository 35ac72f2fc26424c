package io.wsgate.admin;

import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;

import io.wsgate.cluster.Connections;
import io.wsgate.cluster.ConnectionsProperties;

/**
 * {@link ConnectionsApi}'s requests, wherever the actuator is served: on the application's
 * port, or on {@code management.server.port} only. A management context configuration
 * (listed in {@code META-INF/spring/...ManagementContextConfiguration.imports}), which Spring
 * Boot imports into the management context, whichever it is; deliberately without
 * {@code @ManagementContextConfiguration}, which is a {@code @Configuration} that component
 * scanning would also put into the application's context (serving it on the traffic port too).
 * A handler mapping of its own, ahead of the
 * actuator's (order -100), so that {@code /actuator/wssessions/messages} is not taken for a
 * session id of the endpoint's; Spring Security's management chain covers the paths, which
 * are under the endpoint's.
 */
class ConnectionsApiConfiguration {

	/** Before the actuator's endpoint mapping. */
	static final int ORDER = -110;

	@Bean
	RouterFunctionMapping connectionsApiMapping(Connections connections, ConnectionsProperties properties,
			WebEndpointProperties endpoints, ServerCodecConfigurer codecs) {
		ConnectionsApi api = new ConnectionsApi(connections, properties.getMaxPushSize().toBytes());
		String sessions = sessionsPath(endpoints);
		RouterFunction<ServerResponse> routes = RouterFunctions.route()
			.POST(sessions + "/messages", api::fanOut)
			.POST(sessions + "/{id}/messages", api::send)
			.build();
		RouterFunctionMapping mapping = new RouterFunctionMapping(routes);
		mapping.setOrder(ORDER);
		mapping.setMessageReaders(codecs.getReaders());
		return mapping;
	}

	/** {@code /actuator/wssessions}, as the base path and the endpoint's path mapping make it. */
	static String sessionsPath(WebEndpointProperties endpoints) {
		String base = endpoints.getBasePath();
		base = (base == null || base.equals("/")) ? "" : base;
		return base + "/" + endpoints.getPathMapping().getOrDefault("wssessions", "wssessions");
	}

}
