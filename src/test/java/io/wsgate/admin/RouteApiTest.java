package io.wsgate.admin;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Frame;
import io.wsgate.support.Management;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Cloud Gateway's actuator route API on wsgate: routes created, updated and deleted at
 * runtime carry WebSocket traffic at once, an id exists once, invalid definitions are refused
 * whole with their reason, and the file store follows every change.
 */
class RouteApiTest extends AdminGatewayTest {

	@Test
	void createdRouteCarriesWebSocketTrafficWithoutARefresh() throws Exception {
		HttpResponse<String> created = admin().post("/actuator/gateway/routes/created",
				route(echoUri(), "/created/**"));
		assertThat(created.statusCode()).isEqualTo(201);

		assertThat(upgrades("/created/x")).isTrue();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/created/x")) {
			ws.sendText("hello");
			assertThat(ws.readFrame().text()).isEqualTo("hello");
			ws.sendClose(1000, "bye");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
		JsonNode route = admin().getJson("/actuator/gateway/routes/created");
		assertThat(route.get("uri").asString()).isEqualTo(echoUri());
	}

	@Test
	void routeWithAuthAndInspectionFiltersWorksAsConfigured() throws Exception {
		String key = "key-of-alice";
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		HttpResponse<String> created = admin().post("/actuator/gateway/routes/guarded", route(echoUri(), "/guarded/**",
				"{\"name\":\"WebSocketAuth\",\"args\":{\"api-keys.keys[0].id\":\"alice\",\"api-keys.keys[0].hash\":\""
						+ hash + "\"}}",
				"{\"name\":\"FrameInspection\",\"args\":{\"inbound[0].type\":\"max-size\",\"inbound[0].size\":\"8B\"}}"));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

		assertThat(Management.eventually(java.time.Duration.ofSeconds(3), () -> status("/guarded/x") == 401)).isTrue();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/guarded/x", Map.of("X-API-Key", key))) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("short");
			assertThat(ws.readFrame().text()).isEqualTo("short");
			ws.sendText("far too long for the hook");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
		}
	}

	@Test
	void postingAnExistingIdUpdatesTheRoute() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/moving", route(echoUri(), "/moving-a/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/moving-a/x")).isTrue();

		assertThat(admin().post("/actuator/gateway/routes/moving", route(echoUri(), "/moving-b/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/moving-b/x")).isTrue();
		assertThat(status("/moving-a/x")).isEqualTo(404);

		HttpResponse<String> one = admin().get("/actuator/gateway/routes/moving");
		assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
		assertThat(one.body()).contains("/moving-b/**");
		assertThat(ids(admin().getJson("/actuator/gateway/routedefinitions"), "id")).containsOnlyOnce("moving");
	}

	@Test
	void runtimeRouteReplacesTheConfiguredOneUntilDeleted() throws Exception {
		assertThat(status("/configured/x")).isEqualTo(101);
		assertThat(admin().post("/actuator/gateway/routes/configured", route(echoUri(), "/replaced/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/replaced/x")).isTrue();
		assertThat(status("/configured/x")).isEqualTo(404);
		assertThat(ids(admin().getJson("/actuator/gateway/routes"), "route_id")).containsOnlyOnce("configured");
		assertThat(admin().get("/actuator/gateway/routes/configured").statusCode()).isEqualTo(200);

		assertThat(admin().delete("/actuator/gateway/routes/configured").statusCode()).isEqualTo(200);
		assertThat(upgrades("/configured/x")).isTrue();
		assertThat(status("/replaced/x")).isEqualTo(404);

		HttpResponse<String> again = admin().delete("/actuator/gateway/routes/configured");
		assertThat(again.statusCode()).isEqualTo(409);
		assertThat(again.body()).contains("defined in the configuration");
		assertThat(status("/configured/x")).isEqualTo(101);
	}

	@Test
	void deletedRouteStopsServingAndAnUnknownIdIsNotFound() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/doomed", route(echoUri(), "/doomed/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/doomed/x")).isTrue();

		assertThat(admin().delete("/actuator/gateway/routes/doomed").statusCode()).isEqualTo(200);
		assertThat(stopsUpgrading("/doomed/x")).isTrue();
		assertThat(status("/doomed/x")).isEqualTo(404);
		assertThat(admin().get("/actuator/gateway/routes/doomed").statusCode()).isEqualTo(404);
		assertThat(admin().delete("/actuator/gateway/routes/doomed").statusCode()).isEqualTo(404);
		assertThat(Files.readString(storeFile)).doesNotContain("doomed");
	}

	@Test
	void refreshKeepsTheRoutes() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/refreshed", route(echoUri(), "/refreshed/**")).statusCode())
			.isEqualTo(201);
		assertThat(admin().post("/actuator/gateway/refresh", null).statusCode()).isEqualTo(200);
		assertThat(upgrades("/refreshed/x")).isTrue();
	}

	@Test
	void storeFileHoldsTheRuntimeRoutes() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/stored", route(echoUri(), "/stored/**")).statusCode())
			.isEqualTo(201);
		JsonNode document = Management.json.readTree(Files.readString(storeFile));
		assertThat(document.get("version").asInt()).isEqualTo(1);
		assertThat(ids(document.get("routes"), "id")).contains("stored").doesNotContain("configured");
		assertThat(Files.exists(storeFile.resolveSibling("routes.json.tmp"))).isFalse();
	}

	@Test
	void invalidDefinitionsAreRefusedWithTheirReasonAndChangeNothing() throws Exception {
		assertThat(admin().post("/actuator/gateway/routes/kept", route(echoUri(), "/kept/**")).statusCode())
			.isEqualTo(201);
		assertThat(upgrades("/kept/x")).isTrue();
		String before = Files.readString(storeFile);

		Map<String, String> refusals = Map.of(
				// an unknown filter
				route(echoUri(), "/changed/**", "\"Nope=1\""), "Nope",
				// an unknown predicate
				"{\"uri\":\"" + echoUri() + "\",\"predicates\":[\"Nowhere=/x\"]}", "Nowhere",
				// WebSocketAuth with a secret too short for HMAC
				route(echoUri(), "/changed/**", "{\"name\":\"WebSocketAuth\",\"args\":{\"jwt.secret\":\"short\"}}"),
				"secret",
				// FrameInspection with a hook that does not exist
				route(echoUri(), "/changed/**",
						"{\"name\":\"FrameInspection\",\"args\":{\"inbound[0].type\":\"teleport\"}}"),
				"teleport",
				// bad arguments to a built-in filter
				route(echoUri(), "/changed/**", "\"MaxMessageSize=lots\""), "lots",
				// a URI that does not parse, one without a scheme, one without a host
				route("ws://bad host:1", "/changed/**"), "bad host",
				route("127.0.0.1:9", "/changed/**"), "scheme",
				route("ws:///path", "/changed/**"), "no host");
		for (Map.Entry<String, String> refusal : refusals.entrySet()) {
			HttpResponse<String> response = admin().post("/actuator/gateway/routes/kept", refusal.getKey());
			assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
			assertThat(response.body()).as(refusal.getKey()).contains(refusal.getValue());
		}
		assertThat(admin().post("/actuator/gateway/routes/bad%20id", route(echoUri(), "/x/**")).statusCode())
			.isEqualTo(400);
		// refusals are RFC 9457 problem details
		HttpResponse<String> problem = admin().post("/actuator/gateway/routes/kept",
				route(echoUri(), "/changed/**", "\"MaxMessageSize=lots\""));
		assertThat(problem.headers().firstValue("Content-Type")).hasValueSatisfying(
				type -> assertThat(type).startsWith("application/problem+json"));
		JsonNode details = Management.json.readTree(problem.body());
		assertThat(details.get("type").asString()).isEqualTo("about:blank");
		assertThat(details.get("title").asString()).isEqualTo("Bad Request");
		assertThat(details.get("status").asInt()).isEqualTo(400);
		assertThat(details.get("detail").asString()).contains("lots");
		assertThat(details.get("instance").asString()).isEqualTo("/actuator/gateway/routes/kept");

		assertThat(Files.readString(storeFile)).isEqualTo(before);
		assertThat(status("/kept/x")).isEqualTo(101);
		assertThat(status("/changed/x")).isEqualTo(404);
		assertThat(admin().get("/actuator/gateway/routes/kept").body()).contains("/kept/**");
	}

	@Test
	void invalidBridgeDefinitionsAreRefusedNamingTheArgument() throws Exception {
		String http = "http://127.0.0.1:" + echo.port();
		Map<String, String> refusals = Map.of(
				"{\"route-selection\":\"action\",\"default\":\"/d\"}", "route-selection: 'action' is not a JSON Pointer",
				"{\"route-selecton\":\"/action\",\"default\":\"/d\"}", "has no argument 'route-selecton'",
				"{\"route-selection\":\"/action\"}", "needs routes or default",
				"{\"route-selection\":\"/action\",\"routes.send\":\"send\"}", "routes.send: 'send' is not a path",
				"{\"route-selection\":\"/action\",\"default\":\"/d\",\"max-in-flight\":\"0\"}", "max-in-flight",
				"{\"route-selection\":\"/action\",\"default\":\"/d\",\"request-timeout\":\"0s\"}", "request-timeout");
		for (Map.Entry<String, String> refusal : refusals.entrySet()) {
			String filter = "{\"name\":\"WebSocketBridge\",\"args\":" + refusal.getKey() + "}";
			HttpResponse<String> response = admin().post("/actuator/gateway/routes/bridged", route(http, "/b/**", filter));
			assertThat(response.statusCode()).as(refusal.getKey()).isEqualTo(400);
			assertThat(response.body()).as(refusal.getKey()).contains(refusal.getValue());
		}
		String valid = "{\"name\":\"WebSocketBridge\",\"args\":{\"route-selection\":\"/action\","
				+ "\"routes.send\":\"/ws/send\",\"max-in-flight\":\"4\"}}";
		assertThat(admin().post("/actuator/gateway/routes/bridged", route(http, "/b/**", valid)).statusCode())
			.isEqualTo(201);
		assertThat(admin().delete("/actuator/gateway/routes/bridged").statusCode()).isEqualTo(200);
	}

	private static List<String> ids(JsonNode array, String field) {
		return array.valueStream().map(node -> node.get(field).asString()).toList();
	}

}
