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
