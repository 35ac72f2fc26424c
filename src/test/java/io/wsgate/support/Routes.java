package io.wsgate.support;

import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Routes for a test's gateway, as {@code application.yml} would list them (the name/args form for filters). */
public final class Routes {

	private static final String ROUTES = "spring.cloud.gateway.server.webflux.routes[";

	private Routes() {
	}

	/** Route {@code index}: {@code id}, to {@code uri}, for requests whose path matches {@code path}. */
	public static void route(DynamicPropertyRegistry registry, int index, String id, String uri, String path) {
		String prefix = ROUTES + index + "].";
		registry.add(prefix + "id", () -> id);
		registry.add(prefix + "uri", () -> uri);
		registry.add(prefix + "predicates[0]", () -> "Path=" + path);
	}

	/** Filter {@code filterIndex} of route {@code index}: {@code name} with {@code args}. */
	public static void filter(DynamicPropertyRegistry registry, int index, int filterIndex, String name,
			Map<String, String> args) {
		String prefix = ROUTES + index + "].filters[" + filterIndex + "].";
		registry.add(prefix + "name", () -> name);
		args.forEach((arg, value) -> registry.add(prefix + "args." + arg, () -> value));
	}

	/** Another property of route {@code index}, such as {@code metadata.compression}. */
	public static void set(DynamicPropertyRegistry registry, int index, String property, String value) {
		registry.add(ROUTES + index + "]." + property, () -> value);
	}

}
