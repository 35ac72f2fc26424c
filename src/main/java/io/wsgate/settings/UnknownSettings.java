package io.wsgate.settings;

import java.beans.PropertyDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.HashMap;
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
import org.springframework.util.ClassUtils;

/**
 * Finds the {@code wsgate.*} settings the gateway does not have ({@code wsgate.websocket.conect-timeout}),
 * which Spring Boot's binder would ignore without a word. The settings it has are those of its
 * configuration metadata ({@code META-INF/spring-configuration-metadata.json}, which the build
 * generates from the {@code @ConfigurationProperties} classes and
 * {@code additional-spring-configuration-metadata.json}); under a map or list of wsgate's
 * objects ({@code wsgate.pools.<name>.*}, {@code wsgate.admin.users.<name>.*}) the names are
 * checked against the objects' own properties, and under a map of values
 * ({@code wsgate.secrets.*}) anything counts as known, as do list indexes. Names are compared
 * in Spring Boot's relaxed form, so an environment variable ({@code WSGATE_WEBSOCKET_CONNECTTIMEOUT}) or camel case counts as its
 * dashed name.
 */
final class UnknownSettings {

	private static final Logger log = LoggerFactory.getLogger(UnknownSettings.class);

	private static final String ROOT = "wsgate";

	/** Known names, without dashes (the relaxed form), to the name as documented. */
	private final Map<String, String> exact = new HashMap<>();

	/** Maps and lists of objects, by name without dashes: what may stand under them. */
	private final Map<String, Container> containers = new HashMap<>();

	/**
	 * A map or a list of objects.
	 * @param depth how many elements its name has
	 * @param map whether the element after its name is a map's key (a list's index is no element)
	 * @param element the class of its values, or null when not one of wsgate's (anything
	 * under it counts as known)
	 */
	private record Container(int depth, boolean map, @Nullable Class<?> element) {
	}

	UnknownSettings(List<MetadataEntry> metadata, ClassLoader classLoader) {
		for (MetadataEntry entry : metadata) {
			if (!entry.name().startsWith(ROOT + ".")) {
				continue;
			}
			String name = relaxed(entry.name());
			this.exact.put(name, entry.name());
			String type = entry.type();
			boolean map = type != null && type.startsWith("java.util.Map<");
			if (map || (type != null && type.startsWith("java.util.List<") && !type.startsWith("java.util.List<java.lang."))) {
				this.containers.put(name, new Container(name.split("\\.").length, map, elementClass(type, classLoader)));
			}
		}
	}

	/** One property of the metadata: its name and Java type. */
	record MetadataEntry(String name, @Nullable String type) {
	}

	/**
	 * wsgate's own metadata. Every library on the class path has such a file; those that do not
	 * name a {@code wsgate.} setting are skipped before they are parsed (parsing all 30 of them
	 * would add most of a second to startup). The file is looked up by name, not beside this
	 * class: Spring Boot's jar keeps it at its root, not under {@code BOOT-INF/classes}.
	 */
	static UnknownSettings fromClassPath(ClassLoader classLoader) {
		JsonMapper json = JsonMapper.builder().build();
		String marker = "\"" + ROOT + ".";
		List<MetadataEntry> entries = new ArrayList<>();
		try {
			Enumeration<URL> files = classLoader.getResources("META-INF/spring-configuration-metadata.json");
			while (files.hasMoreElements()) {
				byte[] file;
				try (InputStream in = files.nextElement().openStream()) {
					file = in.readAllBytes();
				}
				if (!new String(file, StandardCharsets.ISO_8859_1).contains(marker)) {
					continue;
				}
				for (JsonNode property : json.readTree(file).path("properties")) {
					entries.add(new MetadataEntry(property.path("name").asString(""), property.path("type").asString(null)));
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
		Map<String, String> unknown = new TreeMap<>();
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
		return unknown;
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
		for (Map.Entry<String, Container> entry : this.containers.entrySet()) {
			if (candidate.startsWith(entry.getKey() + ".")) {
				Container container = entry.getValue();
				if (container.element() == null) {
					return true;
				}
				List<String> rest = elements.subList(container.depth() + (container.map() ? 1 : 0), elements.size());
				return knownUnder(container.element(), rest);
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
				Class<?> element = propertyType.asCollection().resolveGeneric(0);
				return knownUnder((element != null) ? element : Object.class, rest.subList(1, rest.size()));
			}
			return knownUnder(raw, rest.subList(1, rest.size()));
		}
		return false;
	}

	/** The class of a map's values or a list's elements, from the metadata's type; null if none of wsgate's. */
	private static @Nullable Class<?> elementClass(String type, ClassLoader classLoader) {
		int start = type.startsWith("java.util.Map<") ? type.indexOf(',') + 1 : type.indexOf('<') + 1;
		String name = type.substring(start, type.length() - 1).trim();
		if (!name.startsWith("io.wsgate.")) {
			return null;
		}
		try {
			return ClassUtils.forName(name, classLoader);
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
