package io.wsgate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import io.wsgate.support.Helm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Helm chart in {@code helm/wsgate} renders, with its default values and with every option
 * on, into Kubernetes objects that fit together: probes on the actuator's health groups at a
 * port the container declares, a grace period longer than preStop plus the drain, Services,
 * budgets, autoscalers and monitors that select the Deployment's pods, configuration that parses.
 * Rendered by the real {@code helm} ({@link Helm}: {@code helm template}, and {@code helm lint --strict}).
 */
class ChartRenderTest {

	private static final Path CHART = Path.of("helm/wsgate");

	/** Every option on: what the defaults leave out is rendered and checked too. */
	private static final String FULL = """
			fullnameOverride: edge
			managementPort: 8081
			drainTimeoutSeconds: 120
			image: {tag: "1.2.3"}
			secretConfig:
			  wsgate:
			    admin:
			      users:
			        alice: {password: "{bcrypt}$2a$10$goiivR9bUk2/NHk8P529vuRLaPRT3XaQxHbbnCnQtKhLS0sDyKBQa", role: admin}
			env: [{name: JAVA_TOOL_OPTIONS, value: "-Xss512k"}]
			podAnnotations: {team: edge}
			imagePullSecrets: [{name: registry}]
			nodeSelector: {kubernetes.io/os: linux}
			tolerations: [{key: dedicated, operator: Equal, value: edge, effect: NoSchedule}]
			affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}
			service: {annotations: {a: b}}
			redis: {enabled: true, host: redis.internal, password: s3cret}
			management: {username: ops, password: m4nage}
			autoscaling: {enabled: true}
			ingress: {enabled: true, tls: [{hosts: [wsgate.example.com], secretName: wsgate-tls}]}
			serviceMonitor:
			  enabled: true
			  labels: {release: prometheus}
			  basicAuth:
			    username: {name: scrape, key: username}
			    password: {name: scrape, key: password}
			""";

	private final Yaml yaml = new Yaml();

	@Test
	void defaultValuesRenderAConfigMapSecretDeploymentServiceAndBudget() throws Exception {
		Map<String, Map<String, Object>> objects = render(Map.of());
		assertThat(objects.keySet()).containsExactlyInAnyOrder("ConfigMap", "Secret", "Deployment", "Service",
				"PodDisruptionBudget");
		Map<String, Object> deployment = objects.get("Deployment");
		assertThat(at(deployment, "metadata.name")).isEqualTo("demo-wsgate");
		assertThat(at(deployment, "spec.replicas")).isEqualTo(2);
		Map<String, Object> container = container(deployment);
		assertThat(container.get("image")).isEqualTo("wsgate:0.1.0-SNAPSHOT");
		assertThat(env(container)).containsEntry("WSGATE_WEBSOCKET_DRAINTIMEOUT", "30s")
			.containsEntry("WSGATE_HEALTH_URL", "http://127.0.0.1:8080/actuator/health/liveness")
			.doesNotContainKey("WSGATE_ROUTES_STORE")
			.doesNotContainKey("SPRING_SECURITY_USER_PASSWORD"); // the demo's generated one, in a file
		assertThat((Map<String, Object>) at(objects.get("Secret"), "stringData")).containsOnlyKeys("application.yml");
		assertThat(at(deployment, "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(45);
		Map<String, Object> configMap = objects.get("ConfigMap");
		assertThat(this.yaml.<Map<String, Object>>load((String) at(configMap, "data.application.yml")))
			.isEqualTo(values(Map.of()).get("config"));
		checkTogether(objects, values(Map.of()));
	}

	@Test
	void everyOptionRendersAndFitsTogether() throws Exception {
		Map<String, Object> full = this.yaml.load(FULL);
		Map<String, Map<String, Object>> objects = render(full);
		assertThat(objects.keySet()).containsExactlyInAnyOrder("ConfigMap", "Secret", "Deployment", "Service",
				"PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress", "ServiceMonitor");
		Map<String, Object> deployment = objects.get("Deployment");
		assertThat(at(deployment, "metadata.name")).isEqualTo("edge");
		assertThat(at(deployment, "spec")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.doesNotContainKey("replicas"); // the autoscaler's
		assertThat(at(deployment, "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(135);
		Map<String, Object> container = container(deployment);
		assertThat(container.get("image")).isEqualTo("wsgate:1.2.3");
		assertThat(env(container)).containsEntry("WSGATE_CLUSTER_ENABLED", "true");
		assertThat(env(container)).containsEntry("WSGATE_ROUTES_STORE", "redis")
			.containsEntry("SPRING_DATA_REDIS_HOST", "redis.internal")
			.containsEntry("MANAGEMENT_SERVER_PORT", "8081")
			.containsEntry("WSGATE_WEBSOCKET_DRAINTIMEOUT", "120s")
			.containsEntry("WSGATE_HEALTH_URL", "http://127.0.0.1:8081/actuator/health/liveness")
			.containsEntry("JAVA_TOOL_OPTIONS", "-Xss512k");
		assertThat(at(container, "livenessProbe.httpGet.port")).isEqualTo("management");
		Map<String, Object> secret = objects.get("Secret");
		assertThat(at(secret, "stringData.redis-password")).isEqualTo("s3cret");
		assertThat(at(secret, "stringData.management-password")).isEqualTo("m4nage");
		assertThat(env(container)).containsEntry("SPRING_SECURITY_USER_NAME", "ops")
			.containsEntry("SPRING_SECURITY_USER_PASSWORD", Map.of("secretKeyRef", Map.of("name", "edge", "key",
					"management-password")))
			.containsEntry("SPRING_DATA_REDIS_PASSWORD", Map.of("secretKeyRef", Map.of("name", "edge", "key",
					"redis-password")));
		assertThat(deployment.toString()).doesNotContain("s3cret").doesNotContain("m4nage");
		assertThat(this.yaml.<Map<String, Object>>load((String) at(secret, "stringData.application.yml")))
			.isEqualTo(full.get("secretConfig"));
		Map<String, Object> ingress = objects.get("Ingress");
		assertThat(at(ingress, "metadata.annotations")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
			.containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
		assertThat(at(ingress, "spec.tls")).isEqualTo(at(full, "ingress.tls"));
		assertThat(at(ingress, "spec.rules")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
			.hasSize(1);
		Map<String, Object> rule = (Map<String, Object>) ((List<?>) at(ingress, "spec.rules")).get(0);
		Map<String, Object> path = (Map<String, Object>) ((List<?>) at(rule, "http.paths")).get(0);
		assertThat(at(path, "backend.service.name")).isEqualTo("edge");
		assertThat(servicePortNames(objects.get("Service"))).contains((String) at(path, "backend.service.port.name"));
		Map<String, Object> monitor = objects.get("ServiceMonitor");
		assertThat(at(monitor, "metadata.labels.release")).isEqualTo("prometheus");
		Map<String, Object> endpoint = (Map<String, Object>) ((List<?>) at(monitor, "spec.endpoints")).get(0);
		assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
		assertThat(servicePortNames(objects.get("Service"))).contains((String) endpoint.get("port"));
		assertThat(at(endpoint, "basicAuth.username.name")).isEqualTo("scrape");
		assertThat(at(monitor, "spec.selector.matchLabels")).isEqualTo(podLabels(deployment));
		Map<String, Object> hpa = objects.get("HorizontalPodAutoscaler");
		assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo("edge");
		assertThat(at(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
		checkTogether(objects, merge(values(Map.of()), full));
	}

	@Test
	void redisNeedsAPasswordAndSecretsOfYourOwnAreReferencedNotCopied() throws Exception {
		assertThat(refusal(this.yaml.load("redis: {enabled: true}")))
			.contains("redis.password (or redis.existingSecret) is required with redis.enabled");
		Map<String, Map<String, Object>> objects = render(this.yaml.load("""
				redis: {enabled: true, existingSecret: redis-auth, existingSecretKey: password}
				management: {existingSecret: wsgate-admin}
				"""));
		Map<String, Object> container = container(objects.get("Deployment"));
		assertThat(env(container))
			.containsEntry("SPRING_DATA_REDIS_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "redis-auth", "key", "password")))
			.containsEntry("SPRING_SECURITY_USER_NAME", "admin")
			.containsEntry("SPRING_SECURITY_USER_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "wsgate-admin", "key", "management-password")));
		assertThat((Map<String, Object>) at(objects.get("Secret"), "stringData")).containsOnlyKeys("application.yml");
	}

	/** The checks every rendering must pass. */
	private void checkTogether(Map<String, Map<String, Object>> objects, Map<String, Object> values) {
		String name = (String) at(objects.get("Deployment"), "metadata.name");
		objects.values().forEach(object -> {
			assertThat(object.get("apiVersion")).as("apiVersion of %s", object.get("kind")).isNotNull();
			assertThat(at(object, "metadata.name")).isEqualTo(name);
			assertThat(((Map<?, ?>) at(object, "metadata")).get("labels")).asInstanceOf(
					org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("app.kubernetes.io/name", "wsgate");
		});
		Map<String, Object> deployment = objects.get("Deployment");
		Map<String, Object> pods = podLabels(deployment);
		assertThat(at(deployment, "spec.selector.matchLabels")).isEqualTo(pods);
		assertThat(at(objects.get("Service"), "spec.selector")).isEqualTo(pods);
		assertThat(at(objects.get("PodDisruptionBudget"), "spec.selector.matchLabels")).isEqualTo(pods);
		Map<String, Object> container = container(deployment);
		Set<String> ports = ((List<Map<String, Object>>) container.get("ports")).stream()
			.map(port -> (String) port.get("name"))
			.collect(Collectors.toSet());
		assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			assertThat(ports).as(probe + "'s port").contains((String) at(container, probe + ".httpGet.port"));
		}
		((List<Map<String, Object>>) at(objects.get("Service"), "spec.ports"))
			.forEach(port -> assertThat(ports).contains((String) port.get("targetPort")));
		int drain = ((Number) values.get("drainTimeoutSeconds")).intValue();
		int preStop = ((Number) values.get("preStopSleepSeconds")).intValue();
		assertThat((Integer) at(deployment, "spec.template.spec.terminationGracePeriodSeconds"))
			.as("grace period after preStop sleep and drain")
			.isGreaterThan(drain + preStop);
		assertThat(at(container, "lifecycle.preStop.exec.command")).isEqualTo(List.of("sleep", "" + preStop));
		Map<String, Object> volumes = ((List<Map<String, Object>>) at(deployment, "spec.template.spec.volumes"))
			.stream()
			.collect(Collectors.toMap(volume -> (String) volume.get("name"), volume -> volume));
		assertThat(at(volumes.get("config"), "configMap.name")).isEqualTo(at(objects.get("ConfigMap"), "metadata.name"));
		assertThat(at(volumes.get("secret"), "secret.secretName")).isEqualTo(at(objects.get("Secret"), "metadata.name"));
		List<Map<String, Object>> mounts = (List<Map<String, Object>>) container.get("volumeMounts");
		assertThat(mounts).extracting(mount -> mount.get("name")).containsExactlyInAnyOrderElementsOf(volumes.keySet());
		assertThat(env(container).get("SPRING_CONFIG_ADDITIONAL_LOCATION"))
			.isEqualTo("optional:file:/etc/wsgate/config/,optional:file:/etc/wsgate/secret/");
		assertThat(mounts).extracting(mount -> mount.get("mountPath"))
			.contains("/etc/wsgate/config", "/etc/wsgate/secret", "/app/data", "/tmp");
		assertThat(at(deployment, "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(deployment, "spec.template.spec.securityContext.runAsUser"))
			.as("the Dockerfile's USER").isEqualTo(10001);
	}

	@Test
	void everyValueIsDocumented() throws Exception {
		List<String> undocumented = new ArrayList<>();
		List<Integer> documentedIndents = new ArrayList<>();
		String previous = "";
		for (String line : Files.readAllLines(CHART.resolve("values.yaml"))) {
			if (line.isBlank()) {
				continue;
			}
			int indent = line.length() - line.stripLeading().length();
			if (line.strip().startsWith("#")) {
				previous = line;
				continue;
			}
			documentedIndents.removeIf(at -> at >= indent);
			if (line.strip().matches("[\\w.-]+:.*")) {
				if (previous.strip().startsWith("# --")) {
					documentedIndents.add(indent);
				}
				else if (documentedIndents.isEmpty() && !line.strip().matches("[\\w.-]+:\\s*")) {
					undocumented.add(line.strip());
				}
			}
			previous = line;
		}
		assertThat(undocumented).as("values without a '# --' comment on them or on a parent").isEmpty();
	}

	@Test
	void theChartPassesHelmLintStrict() throws Exception {
		Helm.Run lint = Helm.run("lint", "--strict", CHART.toString());
		assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
		assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
	}

	/** {@code helm template} with values.yaml and {@code overrides} (as a values file) over it: the objects, by kind. */
	private Map<String, Map<String, Object>> render(Map<String, Object> overrides) throws Exception {
		Map<String, Map<String, Object>> objects = new LinkedHashMap<>();
		for (Map<String, Object> object : Helm.template("demo", CHART, "-f", Helm.valuesFile(this.yaml.dump(overrides)).toString())) {
			assertThat(objects.put((String) object.get("kind"), object)).as("one " + object.get("kind")).isNull();
		}
		return objects;
	}

	/** What {@code helm template} says when it refuses {@code overrides}. */
	private String refusal(Map<String, Object> overrides) throws Exception {
		Helm.Run run = Helm.run("template", "demo", CHART.toString(), "-f",
				Helm.valuesFile(this.yaml.dump(overrides)).toString());
		assertThat(run.exitCode()).as("helm template refuses " + overrides + ":\n" + run.stdout()).isNotZero();
		return run.stderr();
	}

	private Map<String, Object> values(Map<String, Object> overrides) throws Exception {
		return merge(this.yaml.load(Files.readString(CHART.resolve("values.yaml"))), overrides);
	}

	private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
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
			String key = String.join(".", java.util.Arrays.copyOfRange(parts, 0, i));
			if (map.containsKey(key)) {
				Object found = at(map.get(key), String.join(".", java.util.Arrays.copyOfRange(parts, i, parts.length)));
				if (found != null || i == parts.length) {
					return found;
				}
			}
		}
		return null;
	}

	private static Map<String, Object> container(Map<String, Object> deployment) {
		List<Map<String, Object>> containers = (List<Map<String, Object>>) at(deployment,
				"spec.template.spec.containers");
		assertThat(containers).hasSize(1);
		return containers.get(0);
	}

	private static Map<String, Object> podLabels(Map<String, Object> deployment) {
		return (Map<String, Object>) at(deployment, "spec.template.metadata.labels");
	}

	private static Map<String, Object> env(Map<String, Object> container) {
		Map<String, Object> env = new LinkedHashMap<>();
		((List<Map<String, Object>>) container.get("env")).forEach(variable -> env.put((String) variable.get("name"),
				variable.containsKey("value") ? variable.get("value") : variable.get("valueFrom")));
		return env;
	}

	private static Set<String> servicePortNames(Map<String, Object> service) {
		return ((List<Map<String, Object>>) at(service, "spec.ports")).stream()
			.map(port -> (String) port.get("name"))
			.collect(Collectors.toSet());
	}

}
