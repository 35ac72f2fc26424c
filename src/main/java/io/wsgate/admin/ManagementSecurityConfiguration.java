package io.wsgate.admin;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;

/**
 * Spring Security guards the management plane only. The filter chain matches actuator
 * requests; gateway routes match no chain and pass Spring Security untouched (their
 * authentication is a route filter's business), so they pay nothing for it.
 */
@Configuration(proxyBeanMethods = false)
class ManagementSecurityConfiguration {

	@Bean
	SecurityWebFilterChain managementSecurity(ServerHttpSecurity http) {
		return http.securityMatcher(EndpointRequest.toAnyEndpoint())
			.authorizeExchange(exchanges -> exchanges.matchers(EndpointRequest.to("health", "info"))
				.permitAll()
				.anyExchange()
				.authenticated())
			.httpBasic(Customizer.withDefaults())
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.build();
	}

	/**
	 * Spring Security's strict request firewall, for management requests. It would otherwise
	 * wrap every exchange, gateway routes included, and allocate on each access to the request;
	 * routes are proxied as they come, as Spring Cloud Gateway does without Spring Security.
	 */
	@Bean
	ServerWebExchangeFirewall managementFirewall(WebEndpointProperties endpoints) {
		StrictServerWebExchangeFirewall strict = new StrictServerWebExchangeFirewall();
		String basePath = endpoints.getBasePath();
		return exchange -> isManagement(exchange.getRequest().getPath().pathWithinApplication().value(), basePath)
				? strict.getFirewalledExchange(exchange) : Mono.just(exchange);
	}

	static boolean isManagement(String path, String basePath) {
		return basePath.isEmpty() || path.equals(basePath) || path.startsWith(basePath + "/");
	}

}
