package io.wsgate.settings;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.beans.BeanUtils;
import org.springframework.core.ResolvableType;
import org.springframework.core.env.Environment;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.util.ClassUtils;

/**
 * Finds the {@code wsgate.*} settings the gateway does not have ({@code wsgate.websocket.conect-timeout}),
 * which Spring Boot's binder would ignore without a word. The settings it has are those of its
 * configuration metadata ({@code META-INF/spring-configuration-metadata.json}, which the build
 * generates from the {@code @ConfigurationProperties} classes and
 * {@code additional-spring-configuration-metadata.json}); under a map or list of wsgate's
 * objects ({@code wsgate.pools.<name>.*}, {@code wsgate.admin.users.<name>.*}) the names are
 * checked against the objects' own properties, and under a map of values
 * ({@code wsgate.secrets.*}) anything counts as known, as do list indexes. Names are compared in Spring Boot's relaxed form, so an
 * environment variable ({@code WSGATE_WEBSOCKET_CONNECTTIMEOUT}) or camel case counts as its
 * dashed name.
 */
final class UnknownSettings {

	private static final Logger log = LoggerFactory.getLogger(UnknownSettings.class);

	private static final String ROOT = "wsgate";

	/** Known names, without dashes (the relaxed form), to the name as documented. */
	private final Map<String, String> exact = new HashMap<>();

	/**
	 * Maps and lists of objects, by name without dashes, to the class of their elements (null:
	 * not a wsgate class, so anything under them counts as known).
	 */
	private final Map<String, @Nullable Class<?>> containers = new HashMap<>();

	/** Known names, without dashes, to their Java type as the metadata gives it. */
	private final Map<String, String> exactTypes = new HashMap<>();

	private final ClassLoader classLoader;

	UnknownSettings(List<MetadataEntry> metadata, ClassLoader classLoader) {
		this.classLoader = classLoader;
		for (MetadataEntry entry : metadata) {
			if (!entry.name().startsWith(ROOT + ".")) {
				continue;
			}
			this.exact.put(relaxed(entry.name()), entry.name());
			if (entry.type() != null) {
				this.exactTypes.put(relaxed(entry.name()), entry.type());
			}
			if (entry.type() != null && (entry.type().startsWith("java.util.Map<")
					|| (entry.type().startsWith("java.util.List<") && !entry.type().startsWith("java.util.List<java.lang.")))) {
				this.containers.put(relaxed(entry.name()), elementClass(entry.type()));
			}
		}
	}

	/** One property of the metadata: its name and Java type. */
	record MetadataEntry(String name, @Nullable String type) {
	}

	/** The metadata on the class path (every module's; only {@code wsgate.*} is looked at). */
	static UnknownSettings fromClassPath(ClassLoader classLoader) {
		JsonMapper json = JsonMapper.builder().build();
		List<MetadataEntry> entries = new ArrayList<>();
		try {
			Resource[] files = new PathMatchingResourcePatternResolver(classLoader)
				.getResources("classpath*:META-INF/spring-configuration-metadata.json");
			for (Resource file : files) {
				try (InputStream in = file.getInputStream()) {
					for (JsonNode property : json.readTree(in).path("properties")) {
						String type = property.path("type").asString(null);
						entries.add(new MetadataEntry(property.path("name").asString(""), type));
					}
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("could not read the configuration metadata", ex);
		}
		return new UnknownSettings(entries, classLoader);
	}

	/** The unknown settings of this environment, each with where it was set, in name order. */
	Map<String, String> find(Environment environment) {
		Map<String, String> unknown = new LinkedHashMap<>();
		ConfigurationPropertyName root = ConfigurationPropertyName.of(ROOT);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (!(source instanceof IterableConfigurationPropertySource iterable)) {
				continue;
			}
			for (ConfigurationPropertyName name : iterable) {
				if (!root.isAncestorOf(name) || isKnown(name) || unknown.containsKey(name.toString())) {
					continue;
				}
				ConfigurationProperty property = source.getConfigurationProperty(name);
				unknown.put(name.toString(), (property != null && property.getOrigin() != null)
						? property.getOrigin().toString() : String.valueOf(source.getUnderlyingSource()));
			}
		}
		return new TreeMap<>(unknown);
	}

	private boolean isKnown(ConfigurationPropertyName name) {
		List<String> elements = new ArrayList<>();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			if (!name.isNumericIndex(i)) { // list elements are their list's
				elements.add(name.getElement(i, ConfigurationPropertyName.Form.UNIFORM));
			}
		}
		String candidate = String.join(".", elements);
		if (this.exact.containsKey(candidate)) {
			return true;
		}
		for (Map.Entry<String, @Nullable Class<?>> container : this.containers.entrySet()) {
			if (candidate.startsWith(container.getKey() + ".")) {
				Class<?> element = container.getValue();
				if (element == null) {
					return true;
				}
				int depth = container.getKey().split("\\.").length;
				List<String> rest = elements.subList(depth, elements.size());
				// a map's next element is its key; a list's index is gone already
				String type = this.exactTypes.get(container.getKey());
				boolean map = type != null && type.startsWith("java.util.Map<");
				return knownUnder(element, map ? rest.subList(1, rest.size()) : rest);
			}
		}
		return false;
	}

	/** Whether these (uniform) elements name a property of this class, or of the objects it holds. */
	private static boolean knownUnder(Class<?> type, List<String> rest) {
		if (rest.isEmpty()) {
			return true;
		}
		if (!type.getName().startsWith("io.wsgate.") || type.isEnum()) {
			return false; // a value: nothing under it
		}
		for (PropertyDescriptor property : BeanUtils.getPropertyDescriptors(type)) {
			if (property.getReadMethod() == null || !relaxed(property.getName()).equals(rest.get(0))) {
				continue;
			}
			ResolvableType propertyType = ResolvableType.forMethodReturnType(property.getReadMethod());
			Class<?> raw = propertyType.resolve(Object.class);
			if (Map.class.isAssignableFrom(raw)) {
				return true; // its keys are the user's
			}
			if (Collection.class.isAssignableFrom(raw)) {
				return knownUnder(propertyType.asCollection().resolveGeneric(0) != null
						? propertyType.asCollection().resolveGeneric(0) : Object.class, rest.subList(1, rest.size()));
			}
			return knownUnder(raw, rest.subList(1, rest.size()));
		}
		return false;
	}

	/** The class of a map's values or a list's elements, from the metadata's type; null if none of wsgate's. */
	private @Nullable Class<?> elementClass(String type) {
		int start = type.startsWith("java.util.Map<") ? type.indexOf(',') + 1 : type.indexOf('<') + 1;
		String name = type.substring(start, type.length() - 1).trim();
		if (!name.startsWith("io.wsgate.")) {
			return null;
		}
		try {
			return ClassUtils.forName(name, this.classLoader);
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return null;
		}
	}

	/** Logs one WARN per unknown setting, with the nearest known name when one is close. */
	void warn(Environment environment) {
		find(environment).forEach((name, origin) -> {
			String suggestion = nearest(name);
			log.warn("unknown setting {} (from {}) is ignored{}", name, origin,
					(suggestion != null) ? "; did you mean " + suggestion + "?" : "");
		});
	}

	/** The known name nearest to this one (at most 3 edits apart), or null. */
	@Nullable String nearest(String name) {
		String wanted = relaxed(name);
		String best = null;
		int bestDistance = 4;
		for (String known : new TreeSet<>(this.exact.keySet())) {
			int distance = distance(wanted, known, bestDistance);
			if (distance < bestDistance) {
				bestDistance = distance;
				best = this.exact.get(known);
			}
		}
		return best;
	}

	/** Spring Boot's uniform form: lower case, no dashes. */
	static String relaxed(String name) {
		return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
	}

	/** Edit distance (Levenshtein), or {@code limit} once it is at least that. */
	static int distance(String a, String b, int limit) {
		if (Math.abs(a.length() - b.length()) >= limit) {
			return limit;
		}
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			int rowMin = current[0];
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
				rowMin = Math.min(rowMin, current[j]);
			}
			if (rowMin >= limit) {
				return limit;
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return Math.min(previous[b.length()], limit);
	}

}
