package io.wsgate.deploy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayProcess;
import io.wsgate.support.JdkClient;
import io.wsgate.support.Management;
import io.wsgate.support.Ports;

import static io.wsgate.deploy.Chart.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The chart's Grafana dashboard ({@code helm/wsgate/dashboards/wsgate.json}) and PrometheusRule
 * ask only for series the gateway exports: a real gateway with a route to a backend pool
 * relays, refuses and closes real WebSockets, and every metric name, grouping label and fixed
 * label value in the dashboard's queries, the alerts' expressions and the autoscaler's metric
 * is then found in its {@code /actuator/prometheus}. Also: the dashboard is valid JSON with the
 * panels operators need, it ships in a ConfigMap for Grafana's sidecar, and the rule renders
 * with its thresholds.
 */
class DashboardTest {

	private static final Path DASHBOARD = Chart.DIR.resolve("dashboards/wsgate.json");

	/** Labels Prometheus adds at scrape time (the ServiceMonitor's target), not the gateway. */
	private static final Set<String> TARGET_LABELS = Set.of("job", "namespace", "pod", "instance", "service",
			"container", "endpoint");

	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan");

	private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*(\\w+)\\)$");

	private static final Pattern GROUPING = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\(([^)]*)\\)");

	private static final Pattern MATCHER = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])[a-zA-Z_:][\\w:]*+(?!\\s*\\()");

	private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][\\w:]*)(?:\\{(.*)\\})? \\S+$");

	private static final Pattern SAMPLE_LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

	@Test
	void theDashboardIsValidJsonWithAQueryInEveryPanelAndThePanelsOperatorsNeed() throws Exception {
		JsonNode dashboard = Management.json.readTree(Files.readString(DASHBOARD));
		assertThat(dashboard.path("title").asString()).isEqualTo("wsgate");
		assertThat(dashboard.path("uid").asString()).isNotBlank();
		Set<Integer> ids = new LinkedHashSet<>();
		for (JsonNode panel : dashboard.path("panels")) {
			assertThat(ids.add(panel.path("id").asInt())).as("unique panel id " + panel.path("id")).isTrue();
			assertThat(panel.path("gridPos").path("w").asInt()).as("width of " + panel.path("title")).isPositive();
			if (!"row".equals(panel.path("type").asString())) {
				assertThat(panel.path("targets").isEmpty()).as("queries of " + panel.path("title")).isFalse();
				panel.path("targets").forEach(target -> assertThat(target.path("expr").asString())
					.as("query of " + panel.path("title")).isNotBlank());
			}
		}
		assertThat(dashboard.path("templating").path("list")).extracting(variable -> variable.path("name").asString())
			.contains("datasource", "namespace", "job", "route");
		Set<String> used = new TreeSet<>();
		queries(dashboard).forEach(query -> used.addAll(metrics(query)));
		assertThat(used).as("connections by route, upgrades and their latency histogram, frames and bytes, "
				+ "close codes, gateway close causes, pool server states")
			.contains("wsgate_connections_active", "wsgate_connections_total", "wsgate_handshake_duration_seconds_bucket",
					"wsgate_frames_total", "wsgate_bytes_total", "wsgate_closes_total",
					"wsgate_connections_gateway_closes_total", "wsgate_pool_servers");
		assertThat(String.join("\n", queries(dashboard))).contains("histogram_quantile(0.5,")
			.contains("histogram_quantile(0.99,")
			.contains("sum by (routeId)")
			.contains("sum by (initiator, code)")
			.contains("sum by (cause)")
			.contains("sum by (pool, state)");
	}

	@Test
	void theDashboardShipsInAConfigMapForGrafanasSidecar() throws Exception {
		Map<String, Object> configMap = Chart.render("{}").named("ConfigMap", "demo-wsgate-dashboard");
		assertThat(at(configMap, "metadata.labels.grafana_dashboard")).isEqualTo("1");
		assertThat(Management.json.readTree((String) at(configMap, "data.wsgate.json")))
			.isEqualTo(Management.json.readTree(Files.readString(DASHBOARD)));
		assertThat(Chart.render("dashboard: {enabled: false}").names()).noneMatch(name -> name.contains("dashboard"));
	}

	@Test
	void thePrometheusRuleAlertsOnPoolsWithoutServersBackendFailureClosesAndSlowHandshakes() throws Exception {
		assertThat(Chart.render("{}").has("PrometheusRule")).as("off by default: it needs the CRD").isFalse();
		Map<String, Map<String, Object>> alerts = alerts(Chart.render("{}", "--set", "prometheusRule.enabled=true",
				"--set", "prometheusRule.slowHandshakes.p99Seconds=2.5",
				"--set", "prometheusRule.backendFailureCloses.perSecond=0.25",
				"--set", "prometheusRule.poolWithoutServer.for=3m"));
		assertThat(alerts).containsOnlyKeys("WsgatePoolWithoutServer", "WsgateBackendFailureCloses",
				"WsgateSlowHandshakes");
		alerts.forEach((name, alert) -> {
			String expr = (String) alert.get("expr");
			assertThat(balanced(expr)).as(name + ": brackets of " + expr).isTrue();
			assertThat(metrics(expr)).as(name + "'s series").isNotEmpty().allMatch(metric -> metric.startsWith("wsgate_"));
			assertThat(matchers(expr)).as(name + " scrapes this release's series only")
				.containsEntry("job", List.of("demo-wsgate-management"))
				.containsEntry("namespace", List.of("default"));
			assertThat(at(alert, "labels.severity")).isNotNull();
			assertThat(at(alert, "annotations.summary")).isNotNull();
		});
		assertThat((String) alerts.get("WsgatePoolWithoutServer").get("expr")).contains("state=\"healthy\"")
			.endsWith("== 0");
		assertThat(alerts.get("WsgatePoolWithoutServer").get("for")).isEqualTo("3m");
		assertThat((String) alerts.get("WsgateBackendFailureCloses").get("expr")).contains("code=~\"1011|1014\"")
			.endsWith("> 0.25");
		assertThat((String) alerts.get("WsgateSlowHandshakes").get("expr"))
			.startsWith("histogram_quantile(0.99, sum by (namespace, routeId, le)")
			.endsWith("> 2.5");
	}

	@Test
	void everySeriesTheDashboardTheAlertsAndTheAutoscalerAskForIsOneTheGatewayExports() throws Exception {
		List<String> queries = new ArrayList<>(queries(Management.json.readTree(Files.readString(DASHBOARD))));
		alerts(Chart.render("prometheusRule: {enabled: true}")).values()
			.forEach(alert -> queries.add((String) alert.get("expr")));
		String hpaMetric = (String) at(Chart.values(Map.of()), "autoscaling.connections.metric");
		queries.add(hpaMetric);
		try (EchoBackend backend = new EchoBackend()) {
			int managementPort = Ports.unused();
			try (GatewayProcess gateway = GatewayProcess.start("--management.server.port=" + managementPort,
					"--spring.cloud.gateway.server.webflux.routes[0].id=dash",
					"--spring.cloud.gateway.server.webflux.routes[0].uri=lb:ws://dash-pool",
					"--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/echo",
					"--spring.cloud.gateway.server.webflux.routes[0].filters[0]=MaxMessageSize=1KB",
					"--wsgate.pools.dash-pool.servers[0].url=ws://127.0.0.1:" + backend.port())) {
				int port = gateway.port();
				assertThat(port).as("the traffic port's startup line").isNotEqualTo(managementPort);
				relayEchoThenTooBig(port);
				closedByTheBackendWith1011(port);
				// as the chart's ServiceMonitor scrapes: on the management port, without credentials
				Management scraper = Management.anonymous(managementPort);
				Management ops = Management.as(managementPort, "user", "process-test-password");
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(samples(scraper))
					.containsKeys("wsgate_closes_total", "wsgate_connections_gateway_closes_total"));
				Map<String, List<Map<String, String>>> exported = samples(scraper);
				for (String query : queries) {
					checkAgainst(query, exported);
				}
				assertThat(exported.get("wsgate_pool_servers")).as("the pool's one server is in rotation")
					.contains(Map.of("pool", "dash-pool", "state", "healthy", "=", "1.0"))
					.contains(Map.of("pool", "dash-pool", "state", "unhealthy", "=", "0.0"));
				assertThat(ops.post("/actuator/wsbackends/dash-pool/servers/0/drain", null).statusCode()).isEqualTo(200);
				assertThat(samples(scraper).get("wsgate_pool_servers")).as("drained: what WsgatePoolWithoutServer sees")
					.contains(Map.of("pool", "dash-pool", "state", "healthy", "=", "0.0"))
					.contains(Map.of("pool", "dash-pool", "state", "drained", "=", "1.0"));
			}
		}
	}

	/** A message relayed both ways, then one over the route's 1 KB limit: the gateway closes with 1009. */
	private static void relayEchoThenTooBig(int port) throws Exception {
		JdkClient client = new JdkClient();
		WebSocket socket = echo(port, client);
		socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
		assertThat(client.first.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
		socket.sendText("x".repeat(2048), true).get(5, TimeUnit.SECONDS);
		assertThat(client.closed.get(5, TimeUnit.SECONDS).code()).isEqualTo(1009);
	}

	/** The echo backend closes with the code it is told: 1011, as a failing backend would. */
	private static void closedByTheBackendWith1011(int port) throws Exception {
		JdkClient client = new JdkClient();
		WebSocket socket = echo(port, client);
		socket.sendText("close:1011:failed", true).get(5, TimeUnit.SECONDS);
		assertThat(client.closed.get(5, TimeUnit.SECONDS).code()).isEqualTo(1011);
	}

	/** A JDK WebSocket to the gateway's {@code /echo} route. */
	private static WebSocket echo(int port, JdkClient client) throws Exception {
		return HttpClient.newHttpClient()
			.newWebSocketBuilder()
			.buildAsync(URI.create("ws://127.0.0.1:" + port + "/echo"), client)
			.get(10, TimeUnit.SECONDS);
	}

	/**
	 * The query's metric names are exported, each grouping label and label matched on is a label
	 * of its series (except those Prometheus adds), and each value an equality matcher names is one
	 * a series has.
	 */
	private static void checkAgainst(String query, Map<String, List<Map<String, String>>> exported) {
		Set<String> names = metrics(query);
		assertThat(names).as("metrics of " + query).isNotEmpty();
		assertThat(exported).as("the gateway's /actuator/prometheus, for " + query).containsKeys(names.toArray(String[]::new));
		List<Map<String, String>> series = names.stream().flatMap(name -> exported.get(name).stream()).toList();
		Set<String> labels = new TreeSet<>(groupingLabels(query));
		labels.addAll(matchers(query).keySet());
		labels.removeAll(TARGET_LABELS);
		for (String label : labels) {
			assertThat(series).as("a series of " + names + " with the label " + label + " (" + query + ")")
				.anyMatch(sample -> sample.containsKey(label));
		}
		matchers(query).forEach((label, values) -> {
			if (!TARGET_LABELS.contains(label)) {
				values.stream().filter(value -> !value.startsWith("~") && !value.startsWith("$")).forEach(value -> assertThat(series)
					.as(label + "=\"" + value + "\" in " + query)
					.anyMatch(sample -> value.equals(sample.get(label))));
			}
		});
	}

	/** Every query of the dashboard: its panels' and its template variables' (label_values' metric part). */
	private static List<String> queries(JsonNode dashboard) {
		List<String> queries = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			panel.path("targets").forEach(target -> queries.add(target.path("expr").asString()));
		}
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			if ("query".equals(variable.path("type").asString())) {
				Matcher values = LABEL_VALUES.matcher(variable.path("query").path("query").asString());
				assertThat(values.matches()).as("variable " + variable.path("name")).isTrue();
				queries.add(values.group(1) + " by (" + values.group(2) + ")");
			}
		}
		return queries;
	}

	/** The metric names of a PromQL expression: identifiers outside strings, matchers, ranges and label lists that are not functions or keywords. */
	static Set<String> metrics(String expr) {
		String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
			.replaceAll("\\{[^}]*\\}", " ")
			.replaceAll("\\[[^\\]]*\\]", " ");
		bare = GROUPING.matcher(bare).replaceAll(" ");
		Set<String> names = new TreeSet<>();
		Matcher identifier = IDENTIFIER.matcher(bare);
		while (identifier.find()) {
			if (!KEYWORDS.contains(identifier.group())) {
				names.add(identifier.group());
			}
		}
		return names;
	}

	private static Set<String> groupingLabels(String expr) {
		Set<String> labels = new TreeSet<>();
		Matcher grouping = GROUPING.matcher(expr);
		while (grouping.find()) {
			for (String label : grouping.group(1).split(",")) {
				if (!label.isBlank() && !label.strip().equals("le")) {
					labels.add(label.strip());
				}
			}
		}
		return labels;
	}

	/** Label matchers: the values of {@code =} matchers as they are, regular expressions as {@code ~...}. */
	private static Map<String, List<String>> matchers(String expr) {
		Map<String, List<String>> matchers = new LinkedHashMap<>();
		Matcher braces = Pattern.compile("\\{([^}]*)\\}").matcher(expr);
		while (braces.find()) {
			Matcher matcher = MATCHER.matcher(braces.group(1));
			while (matcher.find()) {
				String value = matcher.group(2).equals("=") ? matcher.group(3) : "~" + matcher.group(3);
				matchers.computeIfAbsent(matcher.group(1), label -> new ArrayList<>()).add(value);
			}
		}
		return matchers;
	}

	private static boolean balanced(String expr) {
		String bare = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
		StringBuilder open = new StringBuilder();
		for (char c : bare.toCharArray()) {
			if ("({[".indexOf(c) >= 0) {
				open.append(c);
			}
			else if (")}]".indexOf(c) >= 0) {
				if (open.isEmpty() || "({[".indexOf(open.charAt(open.length() - 1)) != ")}]".indexOf(c)) {
					return false;
				}
				open.setLength(open.length() - 1);
			}
		}
		return open.isEmpty();
	}

	/** The rule's alerts by name. */
	private static Map<String, Map<String, Object>> alerts(Chart chart) {
		Map<String, Map<String, Object>> alerts = new LinkedHashMap<>();
		List<Map<String, Object>> groups = (List<Map<String, Object>>) at(chart.one("PrometheusRule"), "spec.groups");
		for (Map<String, Object> group : groups) {
			for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
				alerts.put((String) rule.get("alert"), rule);
			}
		}
		return alerts;
	}

	/** The scrape: for each series name, the labels of each sample (and its value under {@code "="}). */
	private static Map<String, List<Map<String, String>>> samples(Management ops) throws Exception {
		var response = ops.get("/actuator/prometheus");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Map<String, List<Map<String, String>>> samples = new LinkedHashMap<>();
		for (String line : response.body().split("\n")) {
			Matcher sample = SAMPLE.matcher(line);
			if (line.startsWith("#") || !sample.matches()) {
				continue;
			}
			Map<String, String> labels = new LinkedHashMap<>();
			if (sample.group(2) != null) {
				Matcher label = SAMPLE_LABEL.matcher(sample.group(2));
				while (label.find()) {
					labels.put(label.group(1), label.group(2));
				}
			}
			labels.put("=", line.substring(line.lastIndexOf(' ') + 1));
			samples.computeIfAbsent(sample.group(1), name -> new ArrayList<>()).add(labels);
		}
		return samples;
	}

}
