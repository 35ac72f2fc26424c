package io.wsgate.demo;

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

/**
 * The embedded default: a demo backend behind three routes and a page at {@code /} that
 * shows {@code /updates} live. On unless {@code wsgate.demo.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "wsgate.demo.enabled", havingValue = "true", matchIfMissing = true)
class DemoConfiguration {

	@Bean(destroyMethod = "close")
	DemoBackend demoBackend(DemoProperties properties) {
		return new DemoBackend(properties.getHost(), properties.getPort());
	}

	@Bean
	RouteLocator demoRoutes(RouteLocatorBuilder builder, DemoBackend backend) {
		String ws = "ws://127.0.0.1:" + backend.port();
		String http = "http://127.0.0.1:" + backend.port();
		return builder.routes()
			.route("demo-echo", r -> r.path("/echo").uri(ws))
			.route("demo-updates", r -> r.path("/updates").uri(ws))
			.route("demo-api", r -> r.path("/api").and().method("GET").uri(http))
			.build();
	}

	@Bean
	RouterFunction<ServerResponse> demoPage() {
		ClassPathResource page = new ClassPathResource("demo/index.html");
		return RouterFunctions.route()
			.GET("/", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML).bodyValue(page))
			.build();
	}

}
