package io.wsgate.admin;

import java.beans.PropertyDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.support.NameUtils;

/**
 * Refuses arguments a wsgate filter does not have ({@code route-selecton}, {@code max-inflight}):
 * Spring Cloud Gateway binds arguments by name and drops the ones no field takes, so a misspelt
 * argument would silently fall back to its default. Names are compared as Spring Boot's relaxed
 * binding does (case and dashes aside); only the first segment of a nested name
 * ({@code routes.send}, {@code hooks[0].type}) is checked. Filters of other projects are left
 * alone: some take arguments their configuration class does not declare.
 */
final class FilterArguments {

	/** A wsgate filter's name to the (normalized) arguments it has, found once. */
	private final Map<String, Set<String>> arguments;

	FilterArguments(List<GatewayFilterFactory> factories) {
		this.arguments = factories.stream()
			.filter(factory -> factory.getClass().getName().startsWith("io.wsgate."))
			.collect(Collectors.toMap(GatewayFilterFactory::name, factory -> names((GatewayFilterFactory<?>) factory),
					(first, second) -> first));
	}

	/** The problem with the route's filter arguments, or null when there is none. */
	@Nullable String problem(RouteDefinition route) {
		List<String> problems = new ArrayList<>();
		for (int i = 0; i < route.getFilters().size(); i++) {
			FilterDefinition filter = route.getFilters().get(i);
			Set<String> known = this.arguments.get(filter.getName());
			if (known == null) {
				continue;
			}
			for (String argument : filter.getArgs().keySet()) {
				if (argument.startsWith(NameUtils.GENERATED_NAME_PREFIX)) {
					continue; // the shortcut form, bound by position
				}
				if (!known.contains(normalized(firstSegment(argument)))) {
					problems.add("filters[" + i + "] " + filter.getName() + " has no argument '" + argument + "'");
				}
			}
		}
		return problems.isEmpty() ? null : String.join("; ", problems);
	}

	private static Set<String> names(GatewayFilterFactory<?> factory) {
		Object config = factory.newConfig();
		if (config == null) {
			return Set.of();
		}
		Set<String> names = new TreeSet<>();
		for (PropertyDescriptor property : new BeanWrapperImpl(config).getPropertyDescriptors()) {
			// a setter, or a getter of a nested object the binder fills in (jwt.secret, routes.send)
			if (property.getWriteMethod() != null
					|| (property.getReadMethod() != null && !property.getName().equals("class"))) {
				names.add(normalized(property.getName()));
			}
		}
		return names;
	}

	private static String firstSegment(String argument) {
		int end = argument.length();
		for (char stop : new char[] { '.', '[' }) {
			int at = argument.indexOf(stop);
			if (at >= 0 && at < end) {
				end = at;
			}
		}
		return argument.substring(0, end);
	}

	private static String normalized(String name) {
		return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
	}

}
