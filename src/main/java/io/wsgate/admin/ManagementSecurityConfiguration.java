package io.wsgate.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.reactive.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;

import io.wsgate.proxy.ManagementPath;
import org.springframework.security.web.server.firewall.ServerWebExchangeFirewall;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Spring Security guards the management plane only. The filter chain matches actuator
 * requests; gateway routes match no chain and pass Spring Security untouched (their
 * authentication is a route filter's business), so they pay nothing for it.
 *
 * <p>The endpoints of {@code wsgate.admin.open-endpoints} are open ({@code health} and
 * {@code info}; {@code prometheus} too on a management port of its own). Reading any other endpoint takes the
 * {@code VIEWER} or {@code ADMIN} role, except {@code wstraffic} (payload previews), which
 * takes {@code ADMIN}, as does every write or delete but the connections API's messages
 * ({@code POST /actuator/wssessions[/{id}]/messages}), which take {@code ADMIN} or
 * {@code PUBLISHER} (a role for nothing else); a write must also carry
 * {@code Content-Type: application/json} or an {@code X-Requested-By} header
 * ({@link WriteRequestGuard}). Reads of route definitions show no secret, to the viewer or
 * the admin ({@link RouteRedaction}). Users come from
 * {@code wsgate.admin.users}; without any, Spring Boot's {@code spring.security.user} is the
 * administrator, and without its password the gateway starts only as the demo.
 */
@Configuration(proxyBeanMethods = false)
class ManagementSecurityConfiguration {

	private static final Logger log = LoggerFactory.getLogger(ManagementSecurityConfiguration.class);

	private static final Pattern PASSWORD_ALGORITHM = Pattern.compile("^\\{.+}.*$");

	/** The role that reads and writes everything. */
	static final String ADMIN = AdminProperties.Role.ADMIN.name();

	/** Whether the gateway runs as the demo (the demo package's setting, read by name). */
	static final String DEMO_ENABLED = "wsgate.demo.enabled";

	/** The role that reads. */
	static final String VIEWER = AdminProperties.Role.VIEWER.name();

	/** The role that sends messages to connections, and does nothing else. */
	static final String PUBLISHER = AdminProperties.Role.PUBLISHER.name();

	@Bean
	SecurityWebFilterChain managementSecurity(ServerHttpSecurity http, WebEndpointProperties endpoints,
			ReactiveUserDetailsService managementUsers, AdminProperties admin, Environment environment) {
		String sessions = ConnectionsApiConfiguration.sessionsPath(endpoints);
		boolean sharesPort = AdminConfiguration.sharesPort(environment);
		List<String> open = admin.openEndpoints(!sharesPort);
		log.info("management endpoints on {}; readable without credentials: {}",
				sharesPort ? "the traffic port" : "a port of their own (management.server.port)", open);
		if (sharesPort && open.stream().anyMatch(id -> !id.equals("health") && !id.equals("info"))) {
			log.warn("wsgate.admin.open-endpoints {} are readable without credentials on the traffic port, by every "
					+ "client that reaches the gateway; give the actuator a port of its own (management.server.port)",
					open);
		}
		return http.securityMatcher(EndpointRequest.toAnyEndpoint())
			// a password hash once per credential, not per request (VerifiedCredentials)
			.authenticationManager(new VerifiedCredentials(managementUsers))
			.authorizeExchange(exchanges -> exchanges.matchers(EndpointRequest.to(open.toArray(String[]::new)))
				.permitAll()
				.matchers(EndpointRequest.to("wstraffic"))
				.hasRole(ADMIN)
				.pathMatchers(HttpMethod.POST, sessions + "/messages", sessions + "/*/messages")
				.hasAnyRole(ADMIN, PUBLISHER)
				.pathMatchers(HttpMethod.GET, "/**")
				.hasAnyRole(ADMIN, VIEWER)
				.pathMatchers(HttpMethod.HEAD, "/**")
				.hasAnyRole(ADMIN, VIEWER)
				.anyExchange()
				.hasRole(ADMIN))
			.httpBasic(Customizer.withDefaults())
			// in the place of Spring Security's token-based protection, which an API client cannot use
			.csrf(ServerHttpSecurity.CsrfSpec::disable)
			.addFilterAt(new WriteRequestGuard(), SecurityWebFiltersOrder.CSRF)
			.addFilterAt(new RetryAfterWhenUnavailable(sessions), SecurityWebFiltersOrder.LAST)
			.build();
	}

	/**
	 * The management users: {@code wsgate.admin.users}, else Spring Boot's
	 * {@code spring.security.user.*} with the {@code ADMIN} role, as Boot's own
	 * auto-configuration would define it (which backs off once the OAuth2 resource-server
	 * classes that {@code WebSocketAuth} uses are on the class path). Without either, the
	 * gateway starts only as the demo ({@code wsgate.demo.enabled}), with a generated password
	 * written to an owner-only file whose path is logged; the password itself is never logged.
	 */
	@Bean
	ReactiveUserDetailsService managementUsers(AdminProperties admin, SecurityProperties properties,
			Environment environment) {
		if (!admin.getUsers().isEmpty()) {
			List<UserDetails> users = new ArrayList<>();
			admin.getUsers()
				.forEach((name, user) -> users
					.add(User.withUsername(name).password(user.getPassword()).roles(user.getRole().name()).build()));
			log.info("management users: {}", admin.getUsers()
				.entrySet()
				.stream()
				.map(entry -> entry.getKey() + " (" + entry.getValue().getRole().name().toLowerCase(Locale.ROOT) + ")")
				.toList());
			return new MapReactiveUserDetailsService(users);
		}
		SecurityProperties.User user = properties.getUser();
		if (user.isPasswordGenerated()) {
			generatedPassword(user, environment.getProperty(DEMO_ENABLED, Boolean.class, false));
			if (AdminConfiguration.sharesPort(environment)) {
				log.warn("Demo: the management endpoints (route changes, connections, traffic previews) share the "
						+ "traffic port and are guarded by a generated password only; do not expose this "
						+ "gateway beyond your machine, or set management.server.port and real credentials");
			}
		}
		String password = PASSWORD_ALGORITHM.matcher(user.getPassword()).matches() ? user.getPassword()
				: "{noop}" + user.getPassword();
		List<String> roles = new ArrayList<>(user.getRoles());
		if (!roles.contains(ADMIN)) {
			roles.add(ADMIN);
		}
		return new MapReactiveUserDetailsService(User.withUsername(user.getName())
			.password(password)
			.roles(roles.toArray(new String[0]))
			.build());
	}

	/**
	 * A password Spring Boot generated because none is configured: outside the demo the gateway
	 * refuses to start; in the demo the password goes to a new file only its owner can read
	 * (deleted at exit), and the log says where.
	 */
	static void generatedPassword(SecurityProperties.User user, boolean demo) {
		if (!demo) {
			throw new IllegalStateException("No management credentials: set spring.security.user.password "
					+ "(environment SPRING_SECURITY_USER_PASSWORD) or wsgate.admin.users; a generated password "
					+ "is only for the demo (the profile demo, or wsgate.demo.enabled=true)");
		}
		Path file;
		try {
			file = Files.createTempFile("wsgate-management-password-", ".txt", ownerOnly());
			Files.writeString(file, user.getPassword() + "\n", StandardCharsets.UTF_8);
			file.toFile().deleteOnExit();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not write the generated management password to a file "
					+ "(set spring.security.user.password)", ex);
		}
		log.warn("Demo: generated password for the management endpoints (user '{}') written to {} (readable by "
				+ "its owner only); set spring.security.user.password or wsgate.admin.users outside a try-out",
				user.getName(), file);
	}

	private static FileAttribute<?>[] ownerOnly() {
		if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			return new FileAttribute<?>[0]; // a temporary file elsewhere is its owner's already
		}
		return new FileAttribute<?>[] {
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")) };
	}

	/**
	 * Spring Security's strict request firewall, for management requests. It would otherwise
	 * wrap every exchange, gateway routes included, and allocate on each access to the request;
	 * routes are proxied as they come, as Spring Cloud Gateway does without Spring Security.
	 */
	@Bean
	ServerWebExchangeFirewall managementFirewall(WebEndpointProperties endpoints) {
		StrictServerWebExchangeFirewall strict = new StrictServerWebExchangeFirewall();
		ManagementPath management = ManagementPath.of(endpoints.getBasePath());
		return exchange -> management.matches(exchange.getRequest().getPath().pathWithinApplication())
				? strict.getFirewalledExchange(exchange) : Mono.just(exchange);
	}

	/**
	 * Spring Security's filter, for management requests only. Its chain would otherwise match
	 * every gateway request against each endpoint's path (formatting a debug message per
	 * matcher, which the logging bridge builds even when debug is off) and observe it,
	 * about a tenth of an upgrade's CPU, to decide what {@link ManagementPath} decides from the
	 * path alone.
	 */
	@Bean
	static BeanPostProcessor managementOnlySecurity(ObjectProvider<WebEndpointProperties> endpoints) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				return (bean instanceof WebFilterChainProxy proxy)
						? new ManagementOnly(proxy, ManagementPath.of(endpoints.getObject().getBasePath())) : bean;
			}
		};
	}

	/** A {@link WebFilterChainProxy} that sees management requests only. */
	static final class ManagementOnly implements WebFilter, Ordered {

		private final WebFilterChainProxy security;

		private final ManagementPath management;

		ManagementOnly(WebFilterChainProxy security, ManagementPath management) {
			this.security = security;
			this.management = management;
		}

		@Override
		public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
			return this.management.matches(exchange.getRequest().getPath().pathWithinApplication())
					? this.security.filter(exchange, chain) : chain.filter(exchange);
		}

		@Override
		public int getOrder() {
			// Spring Security's own (WebFluxSecurityConfiguration.WEB_FILTER_CHAIN_FILTER_ORDER)
			return -100;
		}

	}

}
