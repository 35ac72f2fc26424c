package io.wsgate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static io.wsgate.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Dockerfile and docker-compose.yml, checked without Docker: the image builds with the
 * Maven wrapper as CI does and runs as a non-root user with exec-form ENTRYPOINT and a
 * liveness HEALTHCHECK; the compose file parses, names only the image the Dockerfile builds or
 * well-known ones, and its gateways' configuration points at the services it defines.
 */
class DeployFilesTest {

	private static final Set<String> WELL_KNOWN_IMAGES = Set.of("redis:7-alpine");

	private static final String REDIS_PASSWORD = "${WSGATE_REDIS_PASSWORD:?set WSGATE_REDIS_PASSWORD}";

	private final Yaml yaml = new Yaml();

	@Test
	void dockerfileBuildsWithTheWrapperAsCiDoesAndRunsTheLayersAsNonRoot() throws IOException {
		String dockerfile = Files.readString(Path.of("Dockerfile")).replace("\\\n", " ");
		String ci = Files.readString(Path.of(".ci/run"));
		Matcher ciArgs = Pattern.compile("MAVEN_ARGS=\"([^\"]*)\" \\./mvnw verify").matcher(ci);
		assertThat(ciArgs.find()).as(".ci/run runs ./mvnw verify with MAVEN_ARGS").isTrue();
		List<String> stages = new ArrayList<>();
		Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
		while (from.find()) {
			stages.add(from.group(1));
		}
		assertThat(stages).containsExactly("eclipse-temurin:17-jdk", "eclipse-temurin:17-jre");
		assertThat(dockerfile).contains("./mvnw " + ciArgs.group(1) + " -DskipTests package")
			.contains("java -Djarmode=tools -jar app.jar extract --layers --launcher");
		Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
		assertThat(user.find()).isTrue();
		assertThat(user.group(1)).isNotIn("root", "0").matches("\\d+"); // numeric: runAsNonRoot can check it
		Map<String, Object> values = this.yaml.load(Files.readString(Path.of("helm/wsgate/values.yaml")));
		assertThat(at(values, "podSecurityContext.runAsUser")).isEqualTo(Integer.parseInt(user.group(1)));
		Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(dockerfile);
		assertThat(entrypoint.find()).isTrue();
		List<String> command = this.yaml.load(entrypoint.group(1)); // exec form is a JSON array
		assertThat(command).startsWith("java")
			.contains("-XX:MaxRAMPercentage=75", "-XX:+UseZGC")
			.endsWith("org.springframework.boot.loader.launch.JarLauncher");
		assertThat(dockerfile).containsPattern("(?m)^HEALTHCHECK .* CMD \\[\"java\",.*\"HealthCheck\"\\]")
			.contains("WSGATE_HEALTH_URL=\"http://127.0.0.1:8080/actuator/health/liveness\"");
		assertThat(Files.readString(Path.of("docker/HealthCheck.java"))).contains("/actuator/health/liveness");
		Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.*) \\S+$").matcher(dockerfile);
		List<String> ignored = Files.readAllLines(Path.of(".dockerignore"));
		int copies = 0;
		while (copy.find()) {
			for (String source : copy.group(1).split("\\s+")) {
				copies++;
				assertThat(Path.of(source)).as("COPY source").exists();
				assertThat(ignored).as(".dockerignore keeps " + source).doesNotContain(source);
			}
		}
		assertThat(copies).isGreaterThanOrEqualTo(5);
	}

	@Test
	void composeRunsTwoReplicasOnRedisBeforeAPoolOfHealthCheckedDemoBackends() throws IOException {
		Map<String, Object> compose = this.yaml.load(Files.readString(Path.of("docker-compose.yml")));
		Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
		assertThat(services.keySet()).containsExactlyInAnyOrder("redis", "backend-1", "backend-2", "wsgate-1",
				"wsgate-2");
		services.forEach((name, service) -> {
			if (service.containsKey("build")) {
				assertThat(service.get("build")).as(name).isEqualTo(".");
				assertThat(service.get("image")).as(name).isEqualTo("wsgate:latest");
			}
			else {
				assertThat(WELL_KNOWN_IMAGES).as(name).contains((String) service.get("image"));
			}
			if (!name.equals("redis")) {
				assertThat(service).as(name).doesNotContainKey("command");
			}
		});
		for (String dependency : List.of("redis", "backend-1", "backend-2")) { // the gateways wait for them healthy
			assertThat(services.get(dependency)).as(dependency).containsKey("healthcheck");
		}
		assertThat(at(services.get("wsgate-1"), "ports")).isEqualTo(List.of("127.0.0.1:8080:8080"));
		assertThat(at(services.get("wsgate-2"), "ports")).isEqualTo(List.of("127.0.0.1:8081:8080"));
		services.forEach((name, service) -> {
			for (Object port : (List<?>) service.getOrDefault("ports", List.of())) {
				assertThat(port.toString()).as(name + " publishes on loopback only").startsWith("127.0.0.1:");
			}
		});
		Map<String, Object> backendProfile = this.yaml
			.load(Files.readString(Path.of("src/main/resources/application-backend.yml")));
		for (String backend : List.of("backend-1", "backend-2")) {
			assertThat(at(services.get(backend), "environment.SPRING_PROFILES_ACTIVE")).isEqualTo("backend");
			assertThat(at(services.get(backend), "environment.WSGATE_HEALTH_URL"))
				.isEqualTo("http://127.0.0.1:" + at(backendProfile, "wsgate.demo.port") + "/health");
		}
		assertThat(at(backendProfile, "wsgate.demo.host")).isEqualTo("0.0.0.0");
		for (String gateway : List.of("wsgate-1", "wsgate-2")) {
			Map<String, Object> service = services.get(gateway);
			assertThat((List<String>) service.get("volumes"))
				.containsExactly("./deploy/compose/application.yml:/app/config/application.yml:ro");
			assertThat((Map<String, Object>) service.get("depends_on")).containsOnlyKeys("redis", "backend-1",
					"backend-2");
			assertThat(service.get("stop_grace_period")).isEqualTo("40s"); // over the 30 s drain
			// credentials from the environment of docker compose, which refuses to start without them
			assertThat(at(service, "environment.SPRING_SECURITY_USER_PASSWORD"))
				.isEqualTo("${WSGATE_ADMIN_PASSWORD:?set WSGATE_ADMIN_PASSWORD}");
			assertThat(at(service, "environment.SPRING_DATA_REDIS_PASSWORD")).isEqualTo(REDIS_PASSWORD);
		}
		assertThat((List<String>) at(services.get("redis"), "command"))
			.containsExactly("redis-server", "--requirepass", REDIS_PASSWORD);
		assertThat(at(services.get("redis"), "environment.REDISCLI_AUTH")).isEqualTo(REDIS_PASSWORD);
		assertThat(Files.readString(Path.of("docker-compose.yml"))).doesNotContainPattern("(?i)PASSWORD: *admin\\b");
		Map<String, Object> config = this.yaml.load(Files.readString(Path.of("deploy/compose/application.yml")));
		assertThat(at(config, "wsgate.routes.store")).isEqualTo("redis");
		assertThat(at(config, "wsgate.demo.enabled")).isEqualTo(false);
		assertThat(services).containsKey((String) at(config, "spring.data.redis.host"));
		List<Map<String, Object>> servers = (List<Map<String, Object>>) at(config, "wsgate.pools.demo.servers");
		assertThat(servers).extracting(server -> server.get("url"))
			.containsExactly("ws://backend-1:" + at(backendProfile, "wsgate.demo.port"),
					"ws://backend-2:" + at(backendProfile, "wsgate.demo.port"));
		assertThat(at(config, "wsgate.pools.demo.health-check.http.uri")).isEqualTo("/health");
		assertThat(at(config, "wsgate.pools.demo.load-balance.policy")).isEqualTo("ip-hash");
		List<Map<String, Object>> routes = (List<Map<String, Object>>) at(config,
				"spring.cloud.gateway.server.webflux.routes");
		assertThat(routes).extracting(route -> route.get("uri")).containsOnly("lb:ws://demo", "lb://demo");
	}

}
