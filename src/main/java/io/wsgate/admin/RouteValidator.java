package io.wsgate.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.validation.ValidationException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRouteLocator;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.core.convert.ConversionException;
import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import org.springframework.web.util.pattern.PatternParseException;

/**
 * Checks a runtime route definition, and builds the route from it exactly as the gateway will:
 * every predicate and filter is looked up, its arguments bound and validated, and its factory
 * applied (which is where, for example, {@code WebSocketAuth} refuses a short secret). Before
 * that, what only runtime routes must obey: the URI's scheme is {@code ws}, {@code wss},
 * {@code http}, {@code https} or {@code lb} (never {@code forward:}, which would serve the
 * management endpoints without their security), no {@code Path} predicate matches the
 * management endpoints (when they share the port), every {@code ${secret:NAME}} names a
 * property, and the backend's addresses pass the {@link BackendAddressPolicy}. Nothing built
 * here is kept, and no event is published for it.
 */
final class RouteValidator {

	private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final Set<String> SCHEMES = Set.of("ws", "wss", "http", "https");

	private static final String LB = "lb";

	/** Endpoints a {@code Path} pattern is tried against, under the management base path. */
	private static final List<String> MANAGEMENT_SAMPLES = List.of("", "/", "/gateway/routedefinitions",
			"/gateway/routes/x", "/health", "/env", "/wssessions", "/wstraffic", "/x/y/z");

	/** Builds the route of the definition in the subscriber's context; made once (it logs its factories). */
	private final RouteDefinitionRouteLocator builder;

	private final BackendAddressPolicy backends;

	private final FilterArguments arguments;

	private final SecretReferences references;

	private final RouteJson json;

	/** The management base path, or {@code null} when management listens on a port of its own. */
	private final @Nullable String managementBasePath;

	/**
	 * @param configuration a configuration service of its own, without an event publisher
	 * @param managementBasePath the management base path, {@code null} if it has a port of its own
	 */
	RouteValidator(List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			GatewayProperties gateway, ConfigurationService configuration, BackendAddressPolicy backends,
			SecretReferences references, RouteJson json, @Nullable String managementBasePath) {
		GatewayProperties strict = new GatewayProperties();
		strict.setFailOnRouteDefinitionError(true);
		strict.setDefaultFilters(gateway.getDefaultFilters());
		this.builder = new RouteDefinitionRouteLocator(
				() -> Flux.deferContextual(context -> Flux.just(context.<RouteDefinition>get(RouteDefinition.class))),
				predicates, filters, strict, configuration);
		this.arguments = new FilterArguments(filters);
		this.backends = backends;
		this.references = references;
		this.json = json;
		this.managementBasePath = managementBasePath;
	}

	/**
	 * Checks and builds the route; may block (a factory may read a file, a host name is
	 * resolved), so not on an event loop.
	 * @return the definition as it is served: a copy with its secret references resolved
	 * @throws InvalidRouteException naming the route and what is wrong with it
	 */
	RouteDefinition validate(RouteDefinition route) {
		String id = route.getId();
		if (id == null || !ID.matcher(id).matches()) {
			throw new InvalidRouteException("route id '" + id
					+ "' is not valid: 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
		}
		URI uri = route.getUri();
		if (uri == null) {
			throw invalid(id, "uri is required");
		}
		checkScheme(id, uri);
		checkManagementOverlap(id, route);
		String arguments = this.arguments.problem(route);
		if (arguments != null) {
			throw invalid(id, arguments);
		}
		RouteDefinition resolved = this.references.resolve(route, this.json);
		String refusal = this.backends.refusal(uri);
		if (refusal != null) {
			throw invalid(id, refusal);
		}
		try {
			this.builder.getRoutes().contextWrite(Context.of(RouteDefinition.class, resolved)).collectList().block();
		}
		catch (RuntimeException ex) {
			throw invalid(id, scrub(describe(ex), resolved));
		}
		return resolved;
	}

	private static void checkScheme(String id, URI uri) {
		if (uri.getScheme() == null) {
			throw invalid(id, "uri " + uri + " has no scheme (ws://, wss://, http://, https://, lb:ws://, ...)");
		}
		String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
		URI target = uri;
		if (LB.equals(scheme)) {
			if (!uri.isOpaque()) {
				return; // lb://pool
			}
			try {
				target = new URI(uri.getSchemeSpecificPart()); // lb:ws://pool
			}
			catch (URISyntaxException ex) {
				throw invalid(id, "uri " + uri + " is not lb://pool nor lb:ws://pool");
			}
			scheme = (target.getScheme() != null) ? target.getScheme().toLowerCase(Locale.ROOT) : "";
		}
		if (!SCHEMES.contains(scheme)) {
			throw invalid(id, "uri " + RuntimeRouteRepository.withoutSecrets(uri) + " has the scheme '"
					+ uri.getScheme() + "'; runtime routes take ws, wss, http, https or lb (lb://pool, lb:ws://pool)");
		}
		if (target.getHost() == null) {
			throw invalid(id, "uri " + uri + " has no host");
		}
	}

	/** A {@code Path} predicate that could match a management endpoint would shadow or expose it. */
	private void checkManagementOverlap(String id, RouteDefinition route) {
		String base = this.managementBasePath;
		if (base == null) {
			return;
		}
		for (PredicateDefinition predicate : route.getPredicates()) {
			if (!"Path".equalsIgnoreCase(predicate.getName())) {
				continue;
			}
			for (String value : predicate.getArgs().values()) {
				if (value == null || !value.startsWith("/")) {
					continue; // matchTrailingSlash, ...
				}
				PathPattern pattern;
				try {
					pattern = PathPatternParser.defaultInstance.parse(value);
				}
				catch (PatternParseException ex) {
					throw invalid(id, "Path pattern " + value + " does not parse: " + ex.getMessage());
				}
				for (String sample : MANAGEMENT_SAMPLES) {
					String path = base + sample;
					if (!path.isEmpty() && pattern.matches(PathContainer.parsePath(path))) {
						throw invalid(id, "Path pattern " + value + " matches the management endpoints ("
								+ path + "); runtime routes may not overlap " + (base.isEmpty() ? "/" : base + "/**"));
					}
				}
			}
		}
	}

	/** The names of the route's secret arguments that hold a secret in clear rather than a reference. */
	static List<String> inlineSecrets(RouteDefinition route) {
		List<String> inline = new ArrayList<>();
		for (FilterDefinition filter : route.getFilters()) {
			collectInline(filter.getName(), filter.getArgs(), inline);
		}
		for (PredicateDefinition predicate : route.getPredicates()) {
			collectInline(predicate.getName(), predicate.getArgs(), inline);
		}
		return inline;
	}

	private static void collectInline(String element, Map<String, String> args, List<String> inline) {
		args.forEach((name, value) -> {
			if (SecretArguments.isSecret(name) && value != null && !value.isEmpty()
					&& !SecretReferences.isReference(value)) {
				inline.add(element + " " + name);
			}
		});
	}

	private static InvalidRouteException invalid(String id, String problem) {
		return new InvalidRouteException("route " + id + ": " + problem);
	}

	/** The message with every secret of the route (and every secret referenced so far) replaced. */
	private String scrub(String message, RouteDefinition resolved) {
		String scrubbed = message;
		List<String> secrets = new ArrayList<>();
		this.references.values().forEach(secrets::add);
		for (FilterDefinition filter : resolved.getFilters()) {
			secretValues(filter.getArgs(), secrets);
		}
		for (PredicateDefinition predicate : resolved.getPredicates()) {
			secretValues(predicate.getArgs(), secrets);
		}
		for (String secret : secrets) {
			if (secret.length() >= 3) {
				scrubbed = scrubbed.replace(secret, SecretArguments.REDACTED);
			}
		}
		return scrubbed;
	}

	private static void secretValues(Map<String, String> args, List<String> into) {
		args.forEach((name, value) -> {
			if (value != null && SecretArguments.isSecret(name)) {
				into.add(value);
			}
		});
	}

	/**
	 * The exception's message and its causes' where they add something, as far as they are
	 * refusals of the route's own arguments (illegal arguments, binding, conversion and
	 * validation failures). Any other cause (an I/O error, a parser's message about a file) is
	 * named by its type only: its message could quote what the gateway may read.
	 */
	static String describe(Throwable ex) {
		StringBuilder message = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = (cause == cause.getCause()) ? null : cause.getCause()) {
			if (!isAboutArguments(cause)) {
				message.append((message.length() > 0) ? ": " : "").append("(").append(cause.getClass().getSimpleName())
					.append(")");
				break;
			}
			String more = cause.getMessage();
			if (more != null && !message.toString().contains(more)) {
				message.append((message.length() > 0) ? ": " : "").append(more);
			}
		}
		return message.toString();
	}

	private static boolean isAboutArguments(Throwable ex) {
		return ex instanceof IllegalArgumentException || ex instanceof BindException
				|| ex instanceof ConversionException || ex instanceof ValidationException
				|| ex instanceof org.springframework.validation.BindException
				|| ex instanceof BindValidationException
				|| ex instanceof IllegalStateException && ex.getClass() == IllegalStateException.class;
	}

}
