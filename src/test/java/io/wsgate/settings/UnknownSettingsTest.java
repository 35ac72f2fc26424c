package io.wsgate.settings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import io.wsgate.support.GatewayProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A {@code wsgate.*} name the gateway does not have is a WARN at startup, with the nearest name
 * it has; a value that is not one of a setting's values stops startup, naming the values as the
 * documentation spells them.
 */
class UnknownSettingsTest {

	/** Pages of measured results: their tables name meters and settings as they were measured. */
	private static final Set<String> MEASURED = Set.of("performance.md", "conformance.md", "reliability.md");

	private final UnknownSettings settings = UnknownSettings.fromClassPath(getClass().getClassLoader());

	@Test
	void aTypoIsFoundWhateverTheSpellingAndWhatMapsAndListsHoldIsNot() {
		StandardEnvironment environment = new StandardEnvironment();
		Map<String, Object> values = new LinkedHashMap<>();
		values.put("wsgate.websocket.conect-timeout", "5s");
		values.put("wsgate.websocket.connectTimeout", "5s"); // camel case: known
		values.put("wsgate.pools.chat.servers[0].url", "ws://10.0.0.1:9000");
		values.put("wsgate.admin.users.ops.role", "admin");
		values.put("wsgate.routes.backends.allow[0]", "127.0.0.0/8");
		values.put("wsgate.secrets.jwt", "s3cret");
		values.put("wsgate.warmup.enabeld", "true");
		values.put("wsgate.pools.chat.load-balance.policy", "least-connections");
		values.put("wsgate.pools.chat.health-check.http.headers.X-Probe", "1"); // a map's keys are the user's
		values.put("wsgate.pools.chat.policy", "least-connections"); // not there: under load-balance
		values.put("wsgate.pools.chat.servers[1].weigth", "2");
		environment.getPropertySources().addFirst(new MapPropertySource("test", values));
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.of("WSGATE_CLUSTER_ENABLED", "true", "WSGATE_CLUSTER_ENABLD", "true")));
		assertThat(this.settings.find(environment)).containsOnlyKeys("wsgate.websocket.conect-timeout",
				"wsgate.warmup.enabeld", "wsgate.cluster.enabld", "wsgate.pools.chat.policy",
				"wsgate.pools.chat.servers[1].weigth");
		assertThat(this.settings.nearest("wsgate.websocket.conect-timeout")).isEqualTo("wsgate.websocket.connect-timeout");
		assertThat(this.settings.nearest("wsgate.warmup.enabeld")).isEqualTo("wsgate.warmup.enabled");
		assertThat(this.settings.nearest("wsgate.nothing.like.this")).isNull();
	}

	/**
	 * Every setting the documentation's tables name is one the gateway has: the README and the
	 * reference pages under docs/ (the configuration reference, TLS, management, the bridge, ...),
	 * not the pages of measured results, and not the structured log's field table.
	 */
	@Test
	void everyDocumentedSettingIsKnown() throws Exception {
		StringBuilder tables = new StringBuilder(Files.readString(Path.of("README.md")));
		try (Stream<Path> docs = Files.list(Path.of("docs"))) {
			for (Path page : docs.filter(path -> path.toString().endsWith(".md")).sorted().toList()) {
				String name = page.getFileName().toString();
				if (MEASURED.contains(name)) {
					continue;
				}
				String text = Files.readString(page);
				if (name.equals("observability.md")) {
					// every section's settings tables, but not the structured log's field table
					int logs = text.indexOf("\n## Logs");
					assertThat(logs).as("observability.md's Logs section").isNotNegative();
					int next = text.indexOf("\n## ", logs + 1);
					text = text.substring(0, logs) + ((next < 0) ? "" : text.substring(next));
				}
				tables.append('\n').append(text);
			}
		}
		Matcher rows = Pattern.compile("(?m)^\\| `(wsgate\\.[^`]+)` \\|").matcher(tables);
		Map<String, Object> documented = new LinkedHashMap<>();
		while (rows.find()) {
			if (!rows.group(1).contains("*")) { // wsgate.pools.<name>.*: a pointer to a table of its own
				documented.put(rows.group(1).replace("<name>", "x"), "1");
			}
		}
		assertThat(documented).hasSizeGreaterThan(55)
			.containsKeys("wsgate.websocket.connect-timeout", "wsgate.server.hsts.enabled", "wsgate.cluster.enabled")
			.doesNotContainKeys("wsgate.id", "wsgate.route");
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("docs", documented));
		assertThat(this.settings.find(environment)).isEmpty();
	}

	@Test
	void theGatewayWarnsOfAnUnknownSettingAndOfNothingElse() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.start("--wsgate.websocket.conect-timeout=5s")) {
			assertThat(gateway.port()).isPositive();
			// checked once the gateway has started
			await().atMost(Duration.ofSeconds(30)).until(() -> gateway.output().contains("Started WsgateApplication"));
			await().atMost(Duration.ofSeconds(5)).until(() -> gateway.output().contains("unknown setting"));
			String output = gateway.output();
			assertThat(output).contains("unknown setting wsgate.websocket.conect-timeout (from")
				.contains("is ignored; did you mean wsgate.websocket.connect-timeout?");
			assertThat(output.lines().filter(line -> line.contains("unknown setting"))).hasSize(1);
		}
	}

	@Test
	void aValueThatIsNoneOfTheSettingsValuesIsRefusedInTheDocumentedSpelling() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=mongo",
				"--spring.security.user.password=enum-test-password")) {
			assertThat(gateway.exitCode()).isNotZero();
			assertThat(gateway.output()).contains("The setting wsgate.routes.store is 'mongo'")
				.contains("Set wsgate.routes.store to one of: file, redis, memory.")
				.doesNotContain("FILE");
		}
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=memory",
				"--spring.security.user.password=enum-test-password", "--wsgate.pools.chat.servers[0].url=ws://127.0.0.1:9",
				"--wsgate.pools.chat.load-balance.policy=leastconn")) {
			assertThat(gateway.exitCode()).isNotZero();
			assertThat(gateway.output()).contains("least-connections").doesNotContain("LEAST_CONNECTIONS");
		}
	}

}
