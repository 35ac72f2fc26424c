package io.wsgate.admin;

import java.net.http.HttpResponse;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Management;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who may do what on the management plane: anonymous callers and wrong passwords get 401 on
 * every endpoint but health and info, the viewer reads (but not captured traffic), only the
 * admin writes; gateway routes are not behind this layer at all.
 */
class ManagementSecurityTest extends AdminGatewayTest {

	private static final List<String> READS = List.of("/actuator", "/actuator/gateway/routes",
			"/actuator/gateway/routedefinitions", "/actuator/gateway/routes/configured", "/actuator/metrics",
			"/actuator/metrics/wsgate.connections.handshaking", "/actuator/prometheus", "/actuator/wsbackends",
			"/actuator/wssessions");

	/** Requests only the admin may make: method, path, what the admin gets. */
	private static final List<Call> ADMIN_ONLY = List.of(new Call("GET", "/actuator/wstraffic", 200),
			new Call("POST", "/actuator/gateway/refresh", 200),
			new Call("POST", "/actuator/gateway/routes/security-probe", 201),
			new Call("DELETE", "/actuator/gateway/routes/security-probe", 200),
			new Call("DELETE", "/actuator/wssessions/no-such-session", 404),
			new Call("POST", "/actuator/wsbackends/no-such-pool/probe", 404));

	@Test
	void anonymousCallersAndWrongPasswordsGet401OnEveryProtectedEndpoint() throws Exception {
		Management wrong = Management.as(this.port, ADMIN, "not-the-password");
		Management unknown = Management.as(this.port, "mallory", ADMIN_PASSWORD);
		for (String path : READS) {
			assertThat(anonymous().get(path).statusCode()).as(path).isEqualTo(401);
			assertThat(wrong.get(path).statusCode()).as(path).isEqualTo(401);
			assertThat(unknown.get(path).statusCode()).as(path).isEqualTo(401);
		}
		for (Call call : ADMIN_ONLY) {
			assertThat(call.by(anonymous())).as(call.toString()).isEqualTo(401);
			assertThat(call.by(wrong)).as(call.toString()).isEqualTo(401);
		}
	}

	@Test
	void aRememberedCredentialAcceptsOnlyItselfAndAWrongPasswordAfterItStillGets401() throws Exception {
		// the first request pays for the password hash; the same credential is then remembered
		for (int i = 0; i < 3; i++) {
			assertThat(admin().get("/actuator/wssessions").statusCode()).isEqualTo(200);
		}
		assertThat(Management.as(this.port, ADMIN, ADMIN_PASSWORD + "x").get("/actuator/wssessions").statusCode())
			.isEqualTo(401);
		assertThat(Management.as(this.port, ADMIN, "").get("/actuator/wssessions").statusCode()).isEqualTo(401);
		assertThat(admin().get("/actuator/wssessions").statusCode()).isEqualTo(200);
	}

	@Test
	void viewerReadsButMayNotWriteNorSeeTraffic() throws Exception {
		for (String path : READS) {
			assertThat(viewer().get(path).statusCode()).as(path).isEqualTo(200);
		}
		for (Call call : ADMIN_ONLY) {
			assertThat(call.by(viewer())).as(call.toString()).isEqualTo(403);
		}
		assertThat(admin().get("/actuator/gateway/routes/security-probe").statusCode()).isEqualTo(404);
	}

	@Test
	void adminReadsAndWritesEverything() throws Exception {
		for (String path : READS) {
			assertThat(admin().get(path).statusCode()).as(path).isEqualTo(200);
		}
		for (Call call : ADMIN_ONLY) {
			assertThat(call.by(admin())).as(call.toString()).isEqualTo(call.adminStatus());
		}
	}

	@Test
	void healthAndInfoAreOpenButHealthDetailsAreTheAdminsOnly() throws Exception {
		for (String path : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness",
				"/actuator/info")) {
			assertThat(anonymous().get(path).statusCode()).as(path).isEqualTo(200);
		}
		assertThat(Management.json.readTree(anonymous().get("/actuator/health").body()).has("components")).isFalse();
		assertThat(viewer().getJson("/actuator/health").has("components")).isFalse();
		JsonNode health = admin().getJson("/actuator/health");
		assertThat(health.get("components").has("wsBackends")).isTrue();
	}

	/**
	 * Spellings of management paths that WebFlux's path matching (decoded segments, without
	 * their parameters) may read as the plain ones, and spellings it does not.
	 */
	private static final List<String> DISGUISED = List.of("/%61ctuator/gateway/routes", "/actuator;x/gateway/routes",
			"/actuator/gateway;x/routes", "/actuator/%67ateway/routes", "/%61ctuator", "//actuator/gateway/routes",
			"/actuator%2Fgateway%2Froutes", "/./actuator/gateway/routes", "/x/../actuator/gateway/routes");

	@Test
	void aManagementPathSpelledAnotherWayIsNeverServedWithoutCredentials() throws Exception {
		for (String path : DISGUISED) {
			HttpResponse<String> response = anonymous().get(path);
			assertThat(response.statusCode()).as("GET " + path).isIn(400, 401, 404);
			assertThat(response.body()).as("GET " + path).doesNotContain("configured");
			assertThat(status(path)).as("upgrade " + path).isIn(400, 401, 404);
		}
	}

	@Test
	void gatewayRoutesAreNotBehindManagementSecurity() throws Exception {
		assertThat(status("/configured/x")).isEqualTo(101);
	}

	private record Call(String method, String path, int adminStatus) {

		int by(Management management) throws Exception {
			String body = "POST".equals(this.method) && this.path.contains("/routes/")
					? route(echoUri(), "/security-probe/**") : null;
			return management.send(this.method, this.path, body).statusCode();
		}

	}

}
