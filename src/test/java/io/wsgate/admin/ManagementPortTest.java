package io.wsgate.admin;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.wsgate.support.Management;

import static org.assertj.core.api.Assertions.assertThat;

/** With {@code management.server.port}, the actuator moves to a port of its own, secured alike. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "management.server.port=0", "spring.security.user.name=ops",
				"spring.security.user.password=ops-secret" })
class ManagementPortTest {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void actuatorIsOnTheManagementPortOnlyAndSecured() throws Exception {
		assertThat(this.managementPort).isNotEqualTo(this.port);
		assertThat(Management.anonymous(this.managementPort).get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(Management.anonymous(this.managementPort).get("/actuator/gateway/routes").statusCode())
			.isEqualTo(401);
		assertThat(Management.as(this.managementPort, "ops", "ops-secret").get("/actuator/gateway/routes").statusCode())
			.isEqualTo(200);
		assertThat(Management.as(this.port, "ops", "ops-secret").get("/actuator/gateway/routes").statusCode())
			.isEqualTo(404);
	}

	/**
	 * On a port of its own, a scraper reads {@code prometheus} and probes read health without
	 * credentials; health details, every other read and every write still take a role.
	 */
	@Test
	void prometheusAndHealthAreOpenOnTheManagementPortAndNothingElse() throws Exception {
		Management anonymous = Management.anonymous(this.managementPort);
		java.net.http.HttpResponse<String> scrape = anonymous.get("/actuator/prometheus");
		assertThat(scrape.statusCode()).isEqualTo(200);
		assertThat(scrape.body()).contains("wsgate_connections_handshaking");
		java.net.http.HttpResponse<String> health = anonymous.get("/actuator/health");
		assertThat(health.body()).contains("\"status\":\"UP\"").doesNotContain("components");
		assertThat(Management.as(this.managementPort, "ops", "ops-secret").get("/actuator/health").body())
			.contains("components");
		assertThat(anonymous.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(anonymous.get("/actuator/metrics").statusCode()).isEqualTo(401);
		assertThat(anonymous.get("/actuator/wssessions").statusCode()).isEqualTo(401);
		assertThat(anonymous.post("/actuator/gateway/refresh", "{}").statusCode()).isEqualTo(401);
	}

	@Test
	void connectionsApiIsOnTheManagementPortToo() throws Exception {
		String push = "/actuator/wssessions/no-such-id/messages";
		assertThat(Management.anonymous(this.managementPort).postBytes(push, "text/plain", "x".getBytes()).statusCode())
			.isEqualTo(401);
		java.net.http.HttpResponse<String> unknown = Management.as(this.managementPort, "ops", "ops-secret")
			.postBytes(push, "text/plain", "x".getBytes());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("no session no-such-id");
		assertThat(Management.as(this.port, "ops", "ops-secret").postBytes(push, "text/plain", "x".getBytes()).body())
			.doesNotContain("no session");
	}

}
