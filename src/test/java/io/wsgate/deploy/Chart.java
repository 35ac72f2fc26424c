package io.wsgate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.yaml.snakeyaml.Yaml;

import io.wsgate.support.Helm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart in {@code helm/wsgate} as the real {@code helm} renders it (release {@code demo}),
 * with values over its values.yaml, and ways to read the objects it makes.
 */
final class Chart {

	static final Path DIR = Path.of("helm/wsgate");

	private static final Yaml yaml = new Yaml();

	/** Every object {@code helm template} made. */
	private final List<Map<String, Object>> objects;

	private Chart(List<Map<String, Object>> objects) {
		this.objects = objects;
	}

	/** {@code helm template demo helm/wsgate -f <overrides> <args>}; it must succeed. */
	static Chart render(String overrides, String... args) throws Exception {
		return new Chart(Helm.template("demo", DIR, withValues(overrides, args)));
	}

	/** What {@code helm template} says (its standard error) when it refuses these values. */
	static String refusal(String overrides, String... args) throws Exception {
		String[] command = withValues(overrides, args);
		String[] all = new String[command.length + 3];
		all[0] = "template";
		all[1] = "demo";
		all[2] = DIR.toString();
		System.arraycopy(command, 0, all, 3, command.length);
		Helm.Run run = Helm.run(all);
		assertThat(run.exitCode()).as("helm template refuses " + overrides + " " + List.of(args) + ":\n" + run.stdout())
			.isNotZero();
		return run.stderr();
	}

	private static String[] withValues(String overrides, String... args) throws IOException {
		String[] all = Arrays.copyOf(new String[] { "-f", Helm.valuesFile(overrides).toString() }, 2 + args.length);
		System.arraycopy(args, 0, all, 2, args.length);
		return all;
	}

	/** values.yaml with {@code overrides} merged over it, as helm merges them (maps key by key, the rest replaced). */
	static Map<String, Object> values(Map<String, Object> overrides) throws IOException {
		return merge(yaml.load(Files.readString(DIR.resolve("values.yaml"))), overrides);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
		Map<String, Object> merged = new LinkedHashMap<>(base);
		overrides.forEach((key, value) -> {
			if (value instanceof Map<?, ?> map && merged.get(key) instanceof Map<?, ?> old) {
				merged.put(key, merge((Map<String, Object>) old, (Map<String, Object>) map));
			}
			else {
				merged.put(key, value);
			}
		});
		return merged;
	}

	List<Map<String, Object>> all() {
		return this.objects;
	}

	/** Kind/name of every object. */
	Set<String> names() {
		return this.objects.stream()
			.map(object -> object.get("kind") + "/" + at(object, "metadata.name"))
			.collect(Collectors.toCollection(TreeSet::new));
	}

	/** The one object of this kind. */
	Map<String, Object> one(String kind) {
		List<Map<String, Object>> found = this.objects.stream().filter(object -> kind.equals(object.get("kind"))).toList();
		assertThat(found).as("objects of kind " + kind).hasSize(1);
		return found.get(0);
	}

	/** The object of this kind and name. */
	Map<String, Object> named(String kind, String name) {
		return this.objects.stream()
			.filter(object -> kind.equals(object.get("kind")) && name.equals(at(object, "metadata.name")))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + "/" + name + " among " + names()));
	}

	boolean has(String kind) {
		return this.objects.stream().anyMatch(object -> kind.equals(object.get("kind")));
	}

	Map<String, Object> deployment() {
		return one("Deployment");
	}

	/** The Deployment's only container. */
	@SuppressWarnings("unchecked")
	Map<String, Object> container() {
		List<Map<String, Object>> containers = (List<Map<String, Object>>) at(deployment(),
				"spec.template.spec.containers");
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	/** The container's environment: each variable's value, or its valueFrom. */
	@SuppressWarnings("unchecked")
	Map<String, Object> env() {
		Map<String, Object> env = new LinkedHashMap<>();
		((List<Map<String, Object>>) container().get("env")).forEach(variable -> env.put((String) variable.get("name"),
				variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom")));
		return env;
	}

	/** The container's ports: number by name. */
	@SuppressWarnings("unchecked")
	Map<String, Integer> containerPorts() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		((List<Map<String, Object>>) container().get("ports"))
			.forEach(port -> ports.put((String) port.get("name"), (Integer) port.get("containerPort")));
		return ports;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> podLabels(Map<String, Object> deployment) {
		return (Map<String, Object>) at(deployment, "spec.template.metadata.labels");
	}

	/** A Service's ports: target port by name. */
	@SuppressWarnings("unchecked")
	static Map<String, Object> servicePorts(Map<String, Object> service) {
		Map<String, Object> ports = new LinkedHashMap<>();
		((List<Map<String, Object>>) at(service, "spec.ports"))
			.forEach(port -> ports.put((String) port.get("name"), port.get("targetPort")));
		return ports;
	}

	/** The YAML of a values file or a ConfigMap entry. */
	static <T> T load(String text) {
		return yaml.load(text);
	}

	static String dump(Object value) {
		return yaml.dump(value);
	}

	/** A value by path; a key may hold dots ({@code metadata.labels.app.kubernetes.io/name}): the longest key wins. */
	static Object at(Object object, String path) {
		if (path.isEmpty()) {
			return object;
		}
		if (!(object instanceof Map<?, ?> map)) {
			return null;
		}
		String[] parts = path.split("\\.");
		for (int i = parts.length; i > 0; i--) {
			String key = String.join(".", Arrays.copyOfRange(parts, 0, i));
			if (map.containsKey(key)) {
				Object found = at(map.get(key), String.join(".", Arrays.copyOfRange(parts, i, parts.length)));
				if (found != null || i == parts.length) {
					return found;
				}
			}
		}
		return null;
	}

}
