package io.wsgate.admin;

import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
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

	private static final Logger log = LoggerFactory.getLogger(ManagementSecurityConfiguration.class);

	private static final Pattern PASSWORD_ALGORITHM = Pattern.compile("^\\{.+}.*$");

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
	 * The management user: Spring Boot's {@code spring.security.user.*}, as Boot's own
	 * auto-configuration would define it (which backs off once the OAuth2 resource-server
	 * classes that {@code WebSocketAuth} uses are on the class path). A generated password is
	 * logged once at startup, as Boot does.
	 */
	@Bean
	ReactiveUserDetailsService managementUsers(SecurityProperties properties) {
		SecurityProperties.User user = properties.getUser();
		if (user.isPasswordGenerated()) {
			log.warn("Using generated password for the management endpoints (user '{}'): {} -- set "
					+ "spring.security.user.password", user.getName(), user.getPassword());
		}
		String password = PASSWORD_ALGORITHM.matcher(user.getPassword()).matches() ? user.getPassword()
				: "{noop}" + user.getPassword();
		return new MapReactiveUserDetailsService(User.withUsername(user.getName())
			.password(password)
			.roles(user.getRoles().toArray(new String[0]))
			.build());
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
