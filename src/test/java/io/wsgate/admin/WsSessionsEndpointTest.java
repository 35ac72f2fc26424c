package io.wsgate.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /actuator/wssessions}: live connections, filtered, one by id, and closed by an operator. */
class WsSessionsEndpointTest extends AdminGatewayTest {

	private static final String KEY = "key-of-carol";

	@BeforeEach
	void routes() throws Exception {
		String hash = HexFormat.of()
			.formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
		assertThat(admin().post("/actuator/gateway/routes/sessions-open", route(echoUri(), "/sessions-open/**"))
			.statusCode()).isEqualTo(201);
		assertThat(admin().post("/actuator/gateway/routes/sessions-auth", route(echoUri(), "/sessions-auth/**",
				"{\"name\":\"WebSocketAuth\",\"args\":{\"api-keys.keys[0].id\":\"carol\",\"api-keys.keys[0].hash\":\""
						+ hash + "\"}}"))
			.statusCode()).isEqualTo(201);
		assertThat(upgrades("/sessions-open/x")).isTrue();
	}

	@Test
	void listsLiveSessionsFilteredByRouteAndPrincipal() throws Exception {
		try (RawWebSocket open = RawWebSocket.connect(this.port, "/sessions-open/x?id=" + newId());
				RawWebSocket authed = RawWebSocket.connect(this.port, "/sessions-auth/x", Map.of("X-API-Key", KEY))) {
			assertThat(open.status()).isEqualTo(101);
			assertThat(authed.status()).isEqualTo(101);
			open.sendText("one");
			assertThat(open.readFrame().text()).isEqualTo("one");

			JsonNode byRoute = viewer().getJson("/actuator/wssessions?route=sessions-open");
			assertThat(byRoute.get("total").asInt()).isEqualTo(1);
			JsonNode session = byRoute.get("sessions").get(0);
			assertThat(session.get("route").asString()).isEqualTo("sessions-open");
			assertThat(session.get("backend").asString()).startsWith(echoUri());
			assertThat(session.get("inbound").get("text").asLong()).isEqualTo(1);
			assertThat(session.get("outbound").get("text").asLong()).isEqualTo(1);

			JsonNode byPrincipal = viewer().getJson("/actuator/wssessions?principal=carol");
			assertThat(ids(byPrincipal)).hasSize(1);
			assertThat(byPrincipal.get("sessions").get(0).get("route").asString()).isEqualTo("sessions-auth");
			assertThat(viewer().getJson("/actuator/wssessions?principal=nobody").get("total").asInt()).isZero();
			assertThat(ids(viewer().getJson("/actuator/wssessions"))).hasSize(2);

			String id = session.get("id").asString();
			JsonNode one = viewer().getJson("/actuator/wssessions/" + id);
			assertThat(one.get("id").asString()).isEqualTo(id);
			assertThat(viewer().get("/actuator/wssessions/no-such-id").statusCode()).isEqualTo(404);
			open.sendClose(1000, "");
			authed.sendClose(1000, "");
			open.readUntilClose();
			authed.readUntilClose();
		}
	}

	@Test
	void deleteClosesBothSidesWith1008ByDefault() throws Exception {
		String backendId = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/sessions-open/x?id=" + backendId)) {
			assertThat(ws.status()).isEqualTo(101);
			String id = onlySession("sessions-open");

			assertThat(admin().delete("/actuator/wssessions/" + id).statusCode()).isEqualTo(200);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("closed by administrator");
			ws.sendClose(1008, "");
			WebSocketCloseStatus backendSaw = echo.record(backendId).closeStatus(Duration.ofSeconds(5));
			assertThat(backendSaw.code()).isEqualTo(1008);
			assertThat(backendSaw.reasonText()).isEqualTo("closed by administrator");
		}
		assertThat(admin().delete("/actuator/wssessions/gone").statusCode()).isEqualTo(404);
	}

	@Test
	void deleteTakesACodeAndReason() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/sessions-open/x?id=" + newId())) {
			String id = onlySession("sessions-open");
			assertThat(admin().delete("/actuator/wssessions/" + id + "?code=1006").statusCode())
				.as("a code a close frame may not carry")
				.isEqualTo(400);
			assertThat(admin().delete("/actuator/wssessions/" + id + "?code=4000&reason=moved").statusCode())
				.isEqualTo(200);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4000);
			assertThat(close.closeReason()).isEqualTo("moved");
			ws.sendClose(4000, "");
		}
	}

	private String onlySession(String route) throws Exception {
		JsonNode sessions = admin().getJson("/actuator/wssessions?route=" + route);
		assertThat(ids(sessions)).hasSize(1);
		return ids(sessions).get(0);
	}

	private static List<String> ids(JsonNode sessions) {
		return sessions.get("sessions").valueStream().map(session -> session.get("id").asString()).toList();
	}

	private static String newId() {
		return java.util.UUID.randomUUID().toString();
	}

}
