package io.wsgate.demo;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.wsgate.bridge.WebSocketBridgeGatewayFilterFactory;
import io.wsgate.cluster.Connections;

/**
 * The embedded default: a demo backend behind four routes, a page at {@code /} that shows
 * {@code /updates} live, and a chat at {@code /chat} whose WebSocket the gateway terminates
 * ({@code WebSocketBridge}) in front of the backend's stateless HTTP chat service. On with {@code wsgate.demo.enabled=true}: the profile {@code demo}, which {@code ./mvnw spring-boot:run} uses.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "wsgate.demo.enabled", havingValue = "true")
class DemoConfiguration {

	/** The bridged chat's route: what its service broadcasts goes to this route's connections. */
	static final String CHAT_ROUTE = "demo-chat";

	@Bean(destroyMethod = "close")
	DemoBackend demoBackend(DemoProperties properties, ObjectProvider<Connections> connections) {
		return new DemoBackend(properties.getHost(), properties.getPort(), event -> connections.getObject()
			.fanOut(CHAT_ROUTE, null, true, event.getBytes(StandardCharsets.UTF_8), "demo chat")
			.then());
	}

	@Bean
	RouteLocator demoRoutes(RouteLocatorBuilder builder, DemoBackend backend,
			WebSocketBridgeGatewayFilterFactory bridge) {
		String ws = "ws://127.0.0.1:" + backend.port();
		String http = "http://127.0.0.1:" + backend.port();
		return builder.routes()
			.route("demo-echo", r -> r.path("/echo").uri(ws))
			.route("demo-updates", r -> r.path("/updates").uri(ws))
			.route("demo-api", r -> r.path("/api").and().method("GET").uri(http))
			.route(CHAT_ROUTE, r -> r.path("/chat/ws")
				.filters(f -> f.filter(bridge.apply(chat -> chat.setRouteSelection("/action")
					.setRoutes(Map.of("join", "/chat/join", "send", "/chat/send"))
					.setDisconnect("/chat/disconnect"))))
				.uri(http))
			.build();
	}

	@Bean
	RouterFunction<ServerResponse> demoPage() {
		ClassPathResource page = new ClassPathResource("demo/index.html");
		ClassPathResource chat = new ClassPathResource("demo/chat.html");
		return RouterFunctions.route()
			.GET("/", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page))
			.GET("/chat", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(chat))
			.build();
	}

}
