package io.wsgate.admin;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.util.context.Context;

import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRouteLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;

/**
 * Checks a route definition by building the route from it, exactly as the gateway will:
 * every predicate and filter is looked up, its arguments bound and validated, and its factory
 * applied (which is where, for example, {@code WebSocketAuth} refuses a short secret). Nothing
 * built here is kept, and no event is published for it.
 */
final class RouteValidator {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Set<String> NEED_HOST = Set.of("ws", "wss", "http", "https");

	/** Builds the route of the definition in the subscriber's context; made once (it logs its factories). */
	private final RouteDefinitionRouteLocator builder;

	/**
	 * @param configuration a configuration service of its own, without an event publisher
	 */
	RouteValidator(List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			GatewayProperties gateway, ConfigurationService configuration) {
		GatewayProperties strict = new GatewayProperties();
		strict.setFailOnRouteDefinitionError(true);
		strict.setDefaultFilters(gateway.getDefaultFilters());
		this.builder = new RouteDefinitionRouteLocator(
				() -> Flux.deferContextual(context -> Flux.just(context.<RouteDefinition>get(RouteDefinition.class))),
				predicates, filters, strict, configuration);
	}

	/**
	 * Builds the route; may block (a factory may read a file), so not on an event loop.
	 * @throws InvalidRouteException naming the route and what is wrong with it
	 */
	void validate(RouteDefinition route) {
		String id = route.getId();
		if (id == null || !ID.matcher(id).matches()) {
			throw new InvalidRouteException("route id '" + id
					+ "' is not valid: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
		URI uri = route.getUri();
		if (uri == null) {
			throw invalid(id, "uri is required");
		}
		if (uri.getScheme() == null) {
			throw invalid(id, "uri " + uri + " has no scheme (ws://, wss://, http://, https://, lb:ws://, ...)");
		}
		if (NEED_HOST.contains(uri.getScheme().toLowerCase(Locale.ROOT)) && uri.getHost() == null) {
			throw invalid(id, "uri " + uri + " has no host");
		}
		try {
			this.builder.getRoutes().contextWrite(Context.of(RouteDefinition.class, route)).collectList().block();
		}
		catch (RuntimeException ex) {
			throw invalid(id, describe(ex));
		}
	}

	private static InvalidRouteException invalid(String id, String problem) {
		return new InvalidRouteException("route " + id + ": " + problem);
	}

	/** The exception's message and its causes' where they add something. */
	static String describe(Throwable ex) {
		StringBuilder message = new StringBuilder(String.valueOf(ex.getMessage()));
		for (Throwable cause = ex.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
			String more = cause.getMessage();
			if (more != null && !message.toString().contains(more)) {
				message.append(": ").append(more);
			}
		}
		return message.toString();
	}

}
