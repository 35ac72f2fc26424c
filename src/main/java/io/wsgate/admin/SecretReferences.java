package io.wsgate.admin;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.env.Environment;

/**
 * Secrets that runtime routes name instead of holding: an argument value
 * {@code ${secret:NAME}} (alone or within a value) is replaced, when the route is built, by the
 * property {@code wsgate.secrets.NAME} of the Spring environment: an environment variable
 * ({@code WSGATE_SECRETS_NAME}), a property file, or a file of a config tree (a Kubernetes
 * Secret mounted with {@code spring.config.import=configtree:...}). The stored definition keeps
 * the reference only. Only {@code wsgate.secrets.*} can be named, so a route cannot copy any
 * other property (a Redis password, say) into a header.
 */
final class SecretReferences {

	static final String PREFIX = "wsgate.secrets.";

	private static final Pattern REFERENCE = Pattern.compile("\\$\\{secret:([A-Za-z0-9][A-Za-z0-9._-]{0,127})}");

	private final Environment environment;

	/** The values substituted so far, by name, so that reads can show the reference again (bounded by the names that exist). */
	private final Map<String, String> resolved = new ConcurrentHashMap<>();

	SecretReferences(Environment environment) {
		this.environment = environment;
	}

	static boolean isReference(@Nullable String value) {
		return value != null && REFERENCE.matcher(value).find();
	}

	/**
	 * A copy of the route with every reference replaced by its secret.
	 * @throws InvalidRouteException naming the route and the reference that names no property
	 */
	RouteDefinition resolve(RouteDefinition route, RouteJson json) {
		RouteDefinition copy = json.copy(route);
		for (FilterDefinition filter : copy.getFilters()) {
			filter.getArgs().replaceAll((name, value) -> resolve(route.getId(), filter.getName(), name, value));
		}
		for (PredicateDefinition predicate : copy.getPredicates()) {
			predicate.getArgs().replaceAll((name, value) -> resolve(route.getId(), predicate.getName(), name, value));
		}
		return copy;
	}

	private @Nullable String resolve(String route, String element, String argument, @Nullable String value) {
		if (value == null || !value.contains("${secret:")) {
			return value;
		}
		Matcher matcher = REFERENCE.matcher(value);
		StringBuilder result = new StringBuilder();
		while (matcher.find()) {
			String name = matcher.group(1);
			String secret = this.environment.getProperty(PREFIX + name);
			if (secret == null || secret.isEmpty()) {
				throw new InvalidRouteException("route " + route + ": " + element + " argument " + argument
						+ " references ${secret:" + name + "}, but there is no property " + PREFIX + name
						+ " (an environment variable WSGATE_SECRETS_" + name.toUpperCase(Locale.ROOT)
							.replace('.', '_')
							.replace('-', '_')
						+ ", a property, or a config tree file)");
			}
			this.resolved.put(name, secret);
			matcher.appendReplacement(result, Matcher.quoteReplacement(secret));
		}
		matcher.appendTail(result);
		return result.toString();
	}

	/** The reference whose secret {@code value} is, for reads; {@code null} if it is none. */
	@Nullable String referenceOf(@Nullable String value) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		for (Map.Entry<String, String> entry : this.resolved.entrySet()) {
			if (value.contains(entry.getValue())) {
				return value.replace(entry.getValue(), "${secret:" + entry.getKey() + "}");
			}
		}
		return null;
	}

	/** Every secret substituted so far, to be scrubbed from messages. */
	Iterable<String> values() {
		return this.resolved.values();
	}

}
