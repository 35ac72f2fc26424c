package io.wsgate.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.wsgate.support.Helm;

import static io.wsgate.deploy.Chart.at;
import static io.wsgate.deploy.Chart.podLabels;
import static io.wsgate.deploy.Chart.servicePorts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

/**
 * The Helm chart in {@code helm/wsgate} renders, with its default values and with every option
 * on, into Kubernetes objects that fit together: probes on the actuator's health groups at the
 * management port, a grace period longer than preStop plus the drain, Services, budgets,
 * autoscalers and monitors that select the Deployment's pods, configuration that parses; the
 * management plane on a port and a Service of its own, no demo, pods that meet Pod Security
 * "restricted", values checked by values.schema.json, and no per-pod route store behind several
 * pods unless acknowledged. Rendered by the real {@code helm} ({@link Helm}: {@code helm template},
 * {@code helm lint --strict}); {@link DashboardTest} checks the dashboard and the alerts.
 */
class ChartRenderTest {

	/** Every option on: what the defaults leave out is rendered and checked too. */
	private static final String FULL = """
			fullnameOverride: edge
			drainTimeoutSeconds: 120
			image: {tag: "1.2.3"}
			secretConfig:
			  wsgate:
			    admin:
			      users:
			        alice: {password: "{bcrypt}$2a$10$goiivR9bUk2/NHk8P529vuRLaPRT3XaQxHbbnCnQtKhLS0sDyKBQa", role: admin}
			env: [{name: JAVA_TOOL_OPTIONS, value: "-Xss512k"}]
			podAnnotations: {team: edge}
			podLabels: {tier: edge}
			imagePullSecrets: [{name: registry}]
			nodeSelector: {kubernetes.io/os: linux}
			tolerations: [{key: dedicated, operator: Equal, value: edge, effect: NoSchedule}]
			affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}
			service: {annotations: {a: b}}
			serviceAccount: {annotations: {owner: edge}}
			redis: {enabled: true, host: redis.internal, password: s3cret}
			management: {port: 9091, service: {port: 9000, annotations: {c: d}}, username: ops, password: m4nage}
			autoscaling: {enabled: true, connections: {enabled: true}}
			ingress: {enabled: true, tls: [{hosts: [wsgate.example.com], secretName: wsgate-tls}]}
			serviceMonitor:
			  enabled: true
			  labels: {release: prometheus}
			  basicAuth:
			    username: {name: scrape, key: username}
			    password: {name: scrape, key: password}
			dashboard: {annotations: {grafana_folder: gateways}}
			prometheusRule: {enabled: true, labels: {release: prometheus}}
			""";

	@Test
	void theChartPassesHelmLintStrict() throws Exception {
		Helm.Run lint = Helm.run("lint", "--strict", Chart.DIR.toString());
		assertThat(lint.exitCode()).as(lint.stdout() + lint.stderr()).isZero();
		assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");
	}

	@Test
	void defaultValuesRenderOnePodWithItsConfigSecretAccountServicesAndDashboard() throws Exception {
		Chart chart = Chart.render("{}");
		assertThat(chart.names()).containsExactlyInAnyOrder("ServiceAccount/demo-wsgate", "ConfigMap/demo-wsgate",
				"ConfigMap/demo-wsgate-dashboard", "Secret/demo-wsgate", "Deployment/demo-wsgate",
				"Service/demo-wsgate", "Service/demo-wsgate-management");
		Map<String, Object> deployment = chart.deployment();
		assertThat(at(deployment, "spec.replicas")).isEqualTo(1);
		assertThat(chart.container().get("image")).isEqualTo("wsgate:0.1.0-SNAPSHOT");
		assertThat(chart.env()).containsEntry("WSGATE_WEBSOCKET_DRAINTIMEOUT", "30s")
			.containsEntry("WSGATE_HEALTH_URL", "http://127.0.0.1:8081/actuator/health/liveness")
			.doesNotContainKey("WSGATE_ROUTES_STORE");
		assertThat(at(deployment, "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(45);
		assertThat(Chart.<Map<String, Object>>load((String) at(chart.named("ConfigMap", "demo-wsgate"),
				"data.application.yml"))).isEqualTo(Chart.values(Map.of()).get("config"));
		checkTogether(chart, Chart.values(Map.of()));
	}

	@Test
	void withNoPasswordGivenTheChartMakesOneForTheManagementUser() throws Exception {
		Chart chart = Chart.render("{}");
		Map<String, Object> secret = chart.named("Secret", "demo-wsgate");
		assertThat((Map<String, Object>) at(secret, "stringData")).containsOnlyKeys("application.yml",
				"management-password");
		assertThat((String) at(secret, "stringData.management-password")).matches("[A-Za-z0-9]{32}");
		assertThat(chart.env()).containsEntry("SPRING_SECURITY_USER_NAME", "admin")
			.containsEntry("SPRING_SECURITY_USER_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "demo-wsgate", "key", "management-password")));
		assertThat(Chart.render("{}").named("Secret", "demo-wsgate").toString())
			.as("a new one each time nothing is installed to keep it from")
			.isNotEqualTo(secret.toString());
		Chart withUsers = Chart.render("""
				secretConfig: {wsgate: {admin: {users: {alice: {password: "{noop}x", role: admin}}}}}
				""");
		assertThat((Map<String, Object>) at(withUsers.one("Secret"), "stringData")).containsOnlyKeys("application.yml");
		assertThat(withUsers.env()).doesNotContainKeys("SPRING_SECURITY_USER_NAME", "SPRING_SECURITY_USER_PASSWORD");
	}

	@Test
	void everyOptionRendersAndFitsTogether() throws Exception {
		Map<String, Object> full = Chart.load(FULL);
		Chart chart = Chart.render(FULL);
		assertThat(chart.names()).containsExactlyInAnyOrder("ServiceAccount/edge", "ConfigMap/edge",
				"ConfigMap/edge-dashboard", "Secret/edge", "Deployment/edge", "Service/edge", "Service/edge-management",
				"PodDisruptionBudget/edge", "HorizontalPodAutoscaler/edge", "Ingress/edge", "ServiceMonitor/edge",
				"PrometheusRule/edge");
		Map<String, Object> deployment = chart.deployment();
		assertThat(at(deployment, "spec")).asInstanceOf(MAP).doesNotContainKey("replicas"); // the autoscaler's
		assertThat(at(deployment, "spec.template.spec.terminationGracePeriodSeconds")).isEqualTo(135);
		assertThat(at(deployment, "spec.template.metadata.annotations.team")).isEqualTo("edge");
		assertThat(podLabels(deployment)).containsEntry("tier", "edge");
		Map<String, Object> container = chart.container();
		assertThat(container.get("image")).isEqualTo("wsgate:1.2.3");
		assertThat(chart.env()).containsEntry("WSGATE_CLUSTER_ENABLED", "true")
			.containsEntry("WSGATE_ROUTES_STORE", "redis")
			.containsEntry("SPRING_DATA_REDIS_HOST", "redis.internal")
			.containsEntry("MANAGEMENT_SERVER_PORT", "9091")
			.containsEntry("WSGATE_WEBSOCKET_DRAINTIMEOUT", "120s")
			.containsEntry("WSGATE_HEALTH_URL", "http://127.0.0.1:9091/actuator/health/liveness")
			.containsEntry("JAVA_TOOL_OPTIONS", "-Xss512k");
		assertThat(chart.containerPorts()).containsEntry("management", 9091);
		assertThat(at(container, "livenessProbe.httpGet.port")).isEqualTo("management");
		Map<String, Object> secret = chart.one("Secret");
		assertThat(at(secret, "stringData.redis-password")).isEqualTo("s3cret");
		assertThat(at(secret, "stringData.management-password")).isEqualTo("m4nage");
		assertThat(chart.env()).containsEntry("SPRING_SECURITY_USER_NAME", "ops")
			.containsEntry("SPRING_SECURITY_USER_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "edge", "key", "management-password")))
			.containsEntry("SPRING_DATA_REDIS_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "edge", "key", "redis-password")));
		assertThat(deployment.toString()).doesNotContain("s3cret").doesNotContain("m4nage");
		assertThat(Chart.<Map<String, Object>>load((String) at(secret, "stringData.application.yml")))
			.isEqualTo(full.get("secretConfig"));
		Map<String, Object> ingress = chart.one("Ingress");
		assertThat(at(ingress, "metadata.annotations")).asInstanceOf(MAP)
			.containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600")
			.containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600");
		assertThat(at(ingress, "spec.tls")).isEqualTo(at(full, "ingress.tls"));
		assertThat(at(ingress, "spec.rules")).asInstanceOf(LIST).hasSize(1);
		Map<String, Object> path = ingressPath(ingress);
		assertThat(at(path, "backend.service.name")).isEqualTo("edge");
		assertThat(servicePorts(chart.named("Service", "edge"))).containsKey((String) at(path,
				"backend.service.port.name"));
		Map<String, Object> managementService = chart.named("Service", "edge-management");
		assertThat(at(managementService, "metadata.annotations.c")).isEqualTo("d");
		assertThat(at(managementService, "spec.ports")).isEqualTo(
				List.of(Map.of("name", "management", "port", 9000, "targetPort", "management")));
		Map<String, Object> monitor = chart.one("ServiceMonitor");
		assertThat(at(monitor, "metadata.labels.release")).isEqualTo("prometheus");
		Map<String, Object> endpoint = monitorEndpoint(monitor);
		assertThat(endpoint.get("path")).isEqualTo("/actuator/prometheus");
		assertThat(servicePorts(managementService)).containsKey((String) endpoint.get("port"));
		assertThat(at(endpoint, "basicAuth.username.name")).as("basicAuth, when given").isEqualTo("scrape");
		assertThat(at(chart.one("ServiceAccount"), "metadata.annotations.owner")).isEqualTo("edge");
		assertThat(at(chart.named("ConfigMap", "edge-dashboard"), "metadata.annotations.grafana_folder"))
			.isEqualTo("gateways");
		assertThat(at(chart.one("PrometheusRule"), "metadata.labels.release")).isEqualTo("prometheus");
		Map<String, Object> hpa = chart.one("HorizontalPodAutoscaler");
		assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo("edge");
		assertThat(at(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
		checkTogether(chart, Chart.values(full));
	}

	@Test
	void redisNeedsAPasswordAndSecretsOfYourOwnAreReferencedNotCopied() throws Exception {
		assertThat(Chart.refusal("redis: {enabled: true}"))
			.contains("redis.password (or redis.existingSecret) is required with redis.enabled");
		Chart chart = Chart.render("""
				redis: {enabled: true, existingSecret: redis-auth, existingSecretKey: password}
				management: {existingSecret: wsgate-admin}
				""");
		assertThat(chart.env())
			.containsEntry("SPRING_DATA_REDIS_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "redis-auth", "key", "password")))
			.containsEntry("SPRING_SECURITY_USER_NAME", "admin")
			.containsEntry("SPRING_SECURITY_USER_PASSWORD",
					Map.of("secretKeyRef", Map.of("name", "wsgate-admin", "key", "management-password")));
		assertThat((Map<String, Object>) at(chart.one("Secret"), "stringData")).containsOnlyKeys("application.yml");
	}

	@Test
	void theManagementPlaneHasAPortAndAServiceOfItsOwnThatNeitherTheServiceNorTheIngressReach() throws Exception {
		Chart chart = Chart.render("{ingress: {enabled: true}, serviceMonitor: {enabled: true}}");
		assertThat(chart.env()).containsEntry("SERVER_PORT", "8080").containsEntry("MANAGEMENT_SERVER_PORT", "8081");
		assertThat(chart.containerPorts()).isEqualTo(Map.of("http", 8080, "management", 8081));
		Map<String, Object> traffic = chart.named("Service", "demo-wsgate");
		assertThat(servicePorts(traffic)).as("the public Service: the traffic port only").isEqualTo(Map.of("http", "http"));
		Map<String, Object> path = ingressPath(chart.one("Ingress"));
		assertThat(path.get("path")).isEqualTo("/");
		assertThat(at(path, "backend.service")).isEqualTo(Map.of("name", "demo-wsgate", "port", Map.of("name", "http")));
		Map<String, Object> management = chart.named("Service", "demo-wsgate-management");
		assertThat(at(management, "spec.type")).isEqualTo("ClusterIP");
		assertThat(servicePorts(management)).isEqualTo(Map.of("management", "management"));
		Map<String, Object> container = chart.container();
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(at(container, probe + ".httpGet.port")).as(probe).isEqualTo("management");
		}
		assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		Map<String, Object> monitor = chart.one("ServiceMonitor");
		Map<String, Object> selector = (Map<String, Object>) at(monitor, "spec.selector.matchLabels");
		assertThat((Map<String, Object>) at(management, "metadata.labels")).as("the monitor selects the management Service")
			.containsAllEntriesOf(selector);
		assertThat((Map<String, Object>) at(traffic, "metadata.labels")).as("and not the public one")
			.doesNotContainEntry("app.kubernetes.io/component", selector.get("app.kubernetes.io/component"));
		Map<String, Object> endpoint = monitorEndpoint(monitor);
		assertThat(endpoint).containsEntry("port", "management")
			.containsEntry("path", "/actuator/prometheus")
			.as("prometheus needs no credentials on the management port")
			.doesNotContainKey("basicAuth");
		assertThat(Chart.refusal("management: {port: 8080}")).contains("management.port must differ from containerPort");
	}

	@Test
	void theChartServesNoDemo() throws Exception {
		Chart chart = Chart.render("{}");
		Map<String, Object> config = Chart.load((String) at(chart.named("ConfigMap", "demo-wsgate"), "data.application.yml"));
		assertThat(at(config, "wsgate.demo.enabled")).as("config's demo switch").isNotEqualTo(true);
		assertThat(Files.readString(Chart.DIR.resolve("values.yaml"))).doesNotContainPattern("(?m)^\\s*demo:");
		assertThat(chart.env()).doesNotContainKeys("SPRING_PROFILES_ACTIVE", "WSGATE_DEMO_ENABLED");
		assertThat(chart.all().toString()).doesNotContain("spring.profiles.active");
	}

	@Test
	void podsMeetPodSecurityRestrictedWithAReadOnlyRootAndEmptyDirsWhereTheGatewayWrites() throws Exception {
		Chart chart = Chart.render("{}");
		Map<String, Object> pod = (Map<String, Object>) at(chart.deployment(), "spec.template.spec");
		assertThat(at(pod, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
		assertThat(pod).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
		Map<String, Object> container = chart.container();
		assertThat(at(container, "securityContext.allowPrivilegeEscalation")).isEqualTo(false);
		assertThat(at(container, "securityContext.capabilities.drop")).isEqualTo(List.of("ALL"));
		assertThat(at(container, "securityContext.capabilities")).asInstanceOf(MAP).doesNotContainKey("add");
		assertThat(at(container, "securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(container, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
		assertThat(at(container, "securityContext")).asInstanceOf(MAP).doesNotContainKey("privileged");
		assertThat(at(container, "securityContext.readOnlyRootFilesystem")).isEqualTo(true);
		Map<String, Map<String, Object>> volumes = ((List<Map<String, Object>>) pod.get("volumes")).stream()
			.collect(Collectors.toMap(volume -> (String) volume.get("name"), volume -> volume));
		Map<String, String> writable = ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
			.filter(mount -> !Boolean.TRUE.equals(mount.get("readOnly")))
			.collect(Collectors.toMap(mount -> (String) mount.get("mountPath"), mount -> (String) mount.get("name")));
		assertThat(writable).as("the file route store (data/ under /app) and java.io.tmpdir")
			.isEqualTo(Map.of("/app/data", "data", "/tmp", "tmp"));
		writable.values().forEach(name -> assertThat(volumes.get(name)).as(name).containsKey("emptyDir"));
		volumes.values().forEach(volume -> assertThat(volume).doesNotContainKey("hostPath"));
	}

	@Test
	void podsRunAsAServiceAccountOfTheirOwnWithoutAToken() throws Exception {
		Chart chart = Chart.render("{}");
		Map<String, Object> account = chart.one("ServiceAccount");
		assertThat(at(account, "metadata.name")).isEqualTo("demo-wsgate");
		assertThat(account.get("automountServiceAccountToken")).isEqualTo(false);
		assertThat(at(chart.deployment(), "spec.template.spec.serviceAccountName")).isEqualTo("demo-wsgate");
		assertThat(at(chart.deployment(), "spec.template.spec.automountServiceAccountToken")).isEqualTo(false);
		Chart named = Chart.render("serviceAccount: {name: gateways}");
		assertThat(at(named.one("ServiceAccount"), "metadata.name")).isEqualTo("gateways");
		assertThat(at(named.deployment(), "spec.template.spec.serviceAccountName")).isEqualTo("gateways");
		Chart yours = Chart.render("serviceAccount: {create: false, name: platform}");
		assertThat(yours.has("ServiceAccount")).isFalse();
		assertThat(at(yours.deployment(), "spec.template.spec.serviceAccountName")).isEqualTo("platform");
		assertThat(at(yours.deployment(), "spec.template.spec.automountServiceAccountToken")).isEqualTo(false);
	}

	@Test
	void aChangeOfConfigOrOfAPasswordTheChartHoldsChangesThePodTemplate() throws Exception {
		String base = "redis: {enabled: true, password: one}\nmanagement: {password: first}\n";
		Map<String, Object> before = checksums(base);
		assertThat(before).containsOnlyKeys("checksum/config", "checksum/secret");
		assertThat(checksums(base + "ingress: {host: other.example.com}")).as("a value outside config and secrets")
			.isEqualTo(before);
		assertThat(checksums(base + "config: {wsgate: {websocket: {idle-timeout: 5m}}}").get("checksum/config"))
			.isNotEqualTo(before.get("checksum/config"));
		for (String change : List.of("redis: {enabled: true, password: two}",
				"management: {password: second}", "management: {existingSecret: mine}",
				"secretConfig: {wsgate: {admin: {users: {bob: {password: x, role: viewer}}}}}")) {
			assertThat(checksums(base + change).get("checksum/secret")).as(change)
				.isNotEqualTo(before.get("checksum/secret"));
		}
	}

	@Test
	void theAutoscalerScalesOnCpuAndOptionallyOnOpenConnections() throws Exception {
		String values = "redis: {enabled: true, password: x}\nautoscaling: {enabled: true}\n";
		List<Map<String, Object>> cpu = (List<Map<String, Object>>) at(
				Chart.render(values).one("HorizontalPodAutoscaler"), "spec.metrics");
		assertThat(cpu).isEqualTo(List.of(Map.of("type", "Resource", "resource",
				Map.of("name", "cpu", "target", Map.of("type", "Utilization", "averageUtilization", 70)))));
		List<Map<String, Object>> both = (List<Map<String, Object>>) at(Chart
			.render(values + "autoscaling: {enabled: true, connections: {enabled: true, averageValue: '2k'}}")
			.one("HorizontalPodAutoscaler"), "spec.metrics");
		assertThat(both).hasSize(2).startsWith(cpu.get(0));
		assertThat(both.get(1)).isEqualTo(Map.of("type", "Pods", "pods",
				Map.of("metric", Map.of("name", "wsgate_connections_active"),
						"target", Map.of("type", "AverageValue", "averageValue", "2k"))));
	}

	@Test
	void podsSpreadOverZonesAndNodesUnlessTold() throws Exception {
		Chart chart = Chart.render("{}");
		List<Map<String, Object>> spread = (List<Map<String, Object>>) at(chart.deployment(),
				"spec.template.spec.topologySpreadConstraints");
		assertThat(spread).extracting(constraint -> constraint.get("topologyKey"))
			.containsExactly("topology.kubernetes.io/zone", "kubernetes.io/hostname");
		spread.forEach(constraint -> {
			assertThat(constraint).containsEntry("maxSkew", 1).containsEntry("whenUnsatisfiable", "ScheduleAnyway");
			assertThat(at(constraint, "labelSelector.matchLabels")).isEqualTo(at(chart.deployment(),
					"spec.selector.matchLabels"));
		});
		List<Map<String, Object>> own = (List<Map<String, Object>>) at(Chart.render("""
				topologySpreadConstraints:
				  - {maxSkew: 2, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule,
				     labelSelector: {matchLabels: {team: edge}}}
				""").deployment(), "spec.template.spec.topologySpreadConstraints");
		assertThat(own).isEqualTo(List.of(Map.of("maxSkew", 2, "topologyKey", "kubernetes.io/hostname",
				"whenUnsatisfiable", "DoNotSchedule", "labelSelector", Map.of("matchLabels", Map.of("team", "edge")))));
		assertThat(at(Chart.render("topologySpreadConstraints: []").deployment(), "spec.template.spec"))
			.asInstanceOf(MAP)
			.doesNotContainKey("topologySpreadConstraints");
	}

	@Test
	void valuesOfTheWrongTypeOrUnknownAreRefusedByTheSchema() throws Exception {
		assertThat(Chart.refusal("{}", "--set-string", "replicaCount=two"))
			.contains("replicaCount: Invalid type. Expected: integer, given: string");
		assertThat(Chart.refusal("replicaCount: two")).contains("replicaCount: Invalid type");
		assertThat(Chart.refusal("replicaCont: 2")).contains("Additional property replicaCont is not allowed");
		assertThat(Chart.refusal("management: {port: 70000}")).contains("management.port");
		assertThat(Chart.refusal("service: {type: Public}")).contains("service.type");
		assertThat(Chart.refusal("redis: {enabled: 'yes'}")).contains("redis.enabled: Invalid type");
	}

	@Test
	void severalPodsNeedASharedRouteStoreOrAnAcknowledgement() throws Exception {
		for (String several : List.of("replicaCount: 2", "autoscaling: {enabled: true}")) {
			assertThat(Chart.refusal(several)).as(several)
				.contains("with the file route store: routes created at runtime would differ from pod to pod")
				.contains("redis.enabled")
				.contains("routes.acknowledgePerPodStore");
		}
		assertThat(Chart.refusal("replicaCount: 3\nconfig: {wsgate: {routes: {store: memory}}}"))
			.contains("with the memory route store");
		assertThat(at(Chart.render("replicaCount: 2\nroutes: {acknowledgePerPodStore: true}").deployment(),
				"spec.replicas")).isEqualTo(2);
		Chart shared = Chart.render("replicaCount: 3\nredis: {enabled: true, password: x}");
		assertThat(at(shared.deployment(), "spec.replicas")).isEqualTo(3);
		assertThat(shared.env()).containsEntry("WSGATE_ROUTES_STORE", "redis");
		assertThat(shared.has("PodDisruptionBudget")).as("a budget once there is more than one pod").isTrue();
		assertThat(Chart.render("{}").has("PodDisruptionBudget")).as("one pod: a budget would block node drains")
			.isFalse();
	}

	@Test
	void notesSayWhereTrafficAndManagementAreAndWhereThePasswordComesFrom() throws Exception {
		String generated = notes("{ingress: {enabled: true, host: ws.example.com}}");
		assertThat(generated).contains("ws://ws.example.com/")
			.contains("kubectl -n default port-forward svc/demo-wsgate 8080:80")
			.contains("kubectl -n default port-forward svc/demo-wsgate-management 8081:8081")
			.contains("curl http://localhost:8081/actuator/prometheus")
			.contains("not behind the traffic Service or the Ingress")
			.contains("generated at the first install")
			.contains("get secret demo-wsgate -o jsonpath='{.data.management-password}' | base64 -d")
			.contains("Route store: file (each pod's own");
		assertThat(notes("management: {existingSecret: ops-admin, existingSecretKey: pw}"))
			.contains("in your Secret ops-admin, key pw");
		assertThat(notes("redis: {enabled: true, password: x}")).contains("Route store: redis.");
	}

	@Test
	void everyValueIsDocumented() throws Exception {
		List<String> undocumented = new ArrayList<>();
		List<Integer> documentedIndents = new ArrayList<>();
		String previous = "";
		for (String line : Files.readAllLines(Chart.DIR.resolve("values.yaml"))) {
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
	void everyDocumentedValueHasARowInTheChartReference() throws Exception {
		String reference = Files.readString(Path.of("docs/kubernetes.md"));
		List<String> documented = new ArrayList<>();
		List<String> path = new ArrayList<>();
		List<Integer> indents = new ArrayList<>();
		boolean commented = false;
		for (String line : Files.readAllLines(Chart.DIR.resolve("values.yaml"))) {
			String stripped = line.strip();
			if (stripped.isEmpty() || stripped.startsWith("-")) {
				continue;
			}
			if (stripped.startsWith("#")) {
				commented = stripped.startsWith("# --");
				continue;
			}
			int indent = line.length() - line.stripLeading().length();
			while (!indents.isEmpty() && indents.get(indents.size() - 1) >= indent) {
				indents.remove(indents.size() - 1);
				path.remove(path.size() - 1);
			}
			indents.add(indent);
			path.add(stripped.substring(0, stripped.indexOf(':')));
			if (commented) {
				documented.add(String.join(".", path));
			}
			commented = false;
		}
		assertThat(documented).hasSizeGreaterThan(60)
			.allSatisfy(value -> assertThat(reference).as("docs/kubernetes.md's row of " + value)
				.contains("| `" + value + "` |"));
		assertThat(Files.readString(Path.of("README.md"))).contains("[docs/kubernetes.md](docs/kubernetes.md)");
	}

	/** The checks every rendering must pass. */
	private static void checkTogether(Chart chart, Map<String, Object> values) {
		Map<String, Object> deployment = chart.deployment();
		String name = (String) at(deployment, "metadata.name");
		chart.all().forEach(object -> {
			assertThat(object.get("apiVersion")).as("apiVersion of %s", object.get("kind")).isNotNull();
			assertThat((String) at(object, "metadata.name")).startsWith(name);
			assertThat(at(object, "metadata.labels")).asInstanceOf(MAP).containsEntry("app.kubernetes.io/name", "wsgate");
		});
		Map<String, Object> pods = podLabels(deployment);
		assertThat(pods).containsAllEntriesOf((Map<String, Object>) at(deployment, "spec.selector.matchLabels"));
		Map<String, Object> selector = (Map<String, Object>) at(deployment, "spec.selector.matchLabels");
		chart.all().stream().filter(object -> "Service".equals(object.get("kind")))
			.forEach(service -> assertThat(at(service, "spec.selector")).isEqualTo(selector));
		if (chart.has("PodDisruptionBudget")) {
			assertThat(at(chart.one("PodDisruptionBudget"), "spec.selector.matchLabels")).isEqualTo(selector);
		}
		Map<String, Object> container = chart.container();
		Map<String, Integer> ports = chart.containerPorts();
		assertThat(at(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(at(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			assertThat(ports).as(probe + "'s port").containsKey((String) at(container, probe + ".httpGet.port"));
		}
		chart.all().stream().filter(object -> "Service".equals(object.get("kind")))
			.forEach(service -> assertThat(ports).containsKeys(servicePorts(service).values().toArray(String[]::new)));
		int drain = ((Number) values.get("drainTimeoutSeconds")).intValue();
		int preStop = ((Number) values.get("preStopSleepSeconds")).intValue();
		assertThat((Integer) at(deployment, "spec.template.spec.terminationGracePeriodSeconds"))
			.as("grace period after preStop sleep and drain")
			.isGreaterThan(drain + preStop);
		assertThat(at(container, "lifecycle.preStop.exec.command")).isEqualTo(List.of("sleep", "" + preStop));
		Map<String, Map<String, Object>> volumes = ((List<Map<String, Object>>) at(deployment,
				"spec.template.spec.volumes"))
			.stream()
			.collect(Collectors.toMap(volume -> (String) volume.get("name"), volume -> volume));
		assertThat(at(volumes.get("config"), "configMap.name")).isEqualTo(name);
		assertThat(chart.named("ConfigMap", name)).isNotNull();
		assertThat(at(volumes.get("secret"), "secret.secretName")).isEqualTo(at(chart.one("Secret"), "metadata.name"));
		List<Map<String, Object>> mounts = (List<Map<String, Object>>) container.get("volumeMounts");
		assertThat(mounts).extracting(mount -> mount.get("name")).containsExactlyInAnyOrderElementsOf(volumes.keySet());
		assertThat(chart.env().get("SPRING_CONFIG_ADDITIONAL_LOCATION"))
			.isEqualTo("optional:file:/etc/wsgate/config/,optional:file:/etc/wsgate/secret/");
		assertThat(mounts).extracting(mount -> mount.get("mountPath"))
			.contains("/etc/wsgate/config", "/etc/wsgate/secret", "/app/data", "/tmp");
		assertThat(at(deployment, "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
		assertThat(at(deployment, "spec.template.spec.securityContext.runAsUser"))
			.as("the Dockerfile's USER").isEqualTo(10001);
		assertThat(at(deployment, "spec.template.spec.serviceAccountName"))
			.isEqualTo(at(chart.one("ServiceAccount"), "metadata.name"));
		if (chart.has("ServiceMonitor")) {
			Map<String, Object> monitored = (Map<String, Object>) at(chart.one("ServiceMonitor"),
					"spec.selector.matchLabels");
			List<Map<String, Object>> services = chart.all().stream()
				.filter(object -> "Service".equals(object.get("kind")))
				.filter(service -> ((Map<String, Object>) at(service, "metadata.labels")).entrySet()
					.containsAll(monitored.entrySet()))
				.toList();
			assertThat(services).extracting(service -> at(service, "metadata.name")).containsExactly(name + "-management");
		}
	}

	/** The pod template's checksum annotations for these values. */
	private static Map<String, Object> checksums(String values) throws Exception {
		Map<String, Object> annotations = (Map<String, Object>) at(Chart.render(values).deployment(),
				"spec.template.metadata.annotations");
		return annotations;
	}

	private static Map<String, Object> ingressPath(Map<String, Object> ingress) {
		Map<String, Object> rule = (Map<String, Object>) ((List<?>) at(ingress, "spec.rules")).get(0);
		return (Map<String, Object>) ((List<?>) at(rule, "http.paths")).get(0);
	}

	private static Map<String, Object> monitorEndpoint(Map<String, Object> monitor) {
		List<?> endpoints = (List<?>) at(monitor, "spec.endpoints");
		assertThat(endpoints).hasSize(1);
		return (Map<String, Object>) endpoints.get(0);
	}

	/**
	 * NOTES.txt as helm renders it after an install. {@code helm template} leaves NOTES.txt out
	 * and {@code helm install --dry-run} needs a cluster, so a copy of the chart gets a template
	 * that renders the notes with {@code tpl} into a ConfigMap (the chart's own helpers and
	 * values, the same text).
	 */
	private static String notes(String values) throws Exception {
		Path copy = Path.of("target", "helm", "notes-chart", "wsgate");
		if (Files.exists(copy)) {
			try (Stream<Path> files = Files.walk(copy)) {
				files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
			}
		}
		try (Stream<Path> files = Files.walk(Chart.DIR)) {
			for (Path file : files.toList()) {
				Path target = copy.resolve(Chart.DIR.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
		Files.createDirectories(copy.resolve("notes"));
		Files.move(copy.resolve("templates/NOTES.txt"), copy.resolve("notes/NOTES.txt"));
		Files.writeString(copy.resolve("templates/notes-for-the-test.yaml"), """
				apiVersion: v1
				kind: ConfigMap
				metadata: {name: notes-for-the-test}
				data:
				  NOTES.txt: {{ tpl (.Files.Get "notes/NOTES.txt") . | quote }}
				""");
		List<Map<String, Object>> objects = Helm.template("demo", copy, "-f", Helm.valuesFile(values).toString(),
				"--show-only", "templates/notes-for-the-test.yaml");
		return (String) at(objects.get(0), "data.NOTES.txt");
	}

}
