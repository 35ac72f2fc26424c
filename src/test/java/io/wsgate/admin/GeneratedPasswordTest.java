package io.wsgate.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.boot.security.autoconfigure.SecurityProperties;

import io.wsgate.support.GatewayProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Without management credentials the gateway starts only as the demo, and the password it
 * generates then is written to an owner-only file, never to the log.
 */
class GeneratedPasswordTest {

	@Test
	void withoutCredentialsOutsideTheDemoTheGatewayRefusesToStart() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=memory")) {
			assertThat(gateway.exitCode()).isNotZero();
			assertThat(gateway.output()).contains("No management credentials: set spring.security.user.password")
				.contains("wsgate.admin.users");
		}
	}

	/** A plain start (java -jar, the image, the chart) serves no demo: no page, no demo routes. */
	@Test
	void aPlainStartWithCredentialsServesNoDemo() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=memory",
				"--spring.security.user.password=plain-start-password")) {
			int port = gateway.port();
			java.net.http.HttpResponse<String> page = java.net.http.HttpClient.newHttpClient()
				.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
						java.net.http.HttpResponse.BodyHandlers.ofString());
			assertThat(page.statusCode()).isEqualTo(404);
			assertThat(io.wsgate.support.RawWebSocket.upgradeStatus(port, "/echo")).isEqualTo(404);
			assertThat(gateway.output()).doesNotContain("demo backend listening");
		}
	}

	/** The demo's management plane is on the traffic port behind a generated password: it says so. */
	@Test
	void theDemoWarnsThatItsManagementSharesTheTrafficPort() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=memory",
				"--spring.profiles.active=demo")) {
			assertThat(gateway.port()).isPositive();
			assertThat(gateway.output()).contains("WARN")
				.contains("share the traffic port and are guarded by a generated password only");
		}
	}

	/** Only endpoints that show no route, connection or payload may be opened to anyone. */
	@Test
	void anEndpointThatShowsRoutesCannotBeOpened() throws Exception {
		try (GatewayProcess gateway = GatewayProcess.startAsGiven("--wsgate.routes.store=memory",
				"--spring.security.user.password=open-endpoints-password", "--wsgate.admin.open-endpoints=health,gateway")) {
			assertThat(gateway.exitCode()).isNotZero();
			assertThat(gateway.output()).contains("wsgate.admin.open-endpoints")
				.contains("'gateway' cannot be open: only [health, info, metrics, prometheus]");
		}
	}

	@Test
	void outsideTheDemoAGeneratedPasswordIsRefused() {
		SecurityProperties.User user = new SecurityProperties().getUser();
		assertThatThrownBy(() -> ManagementSecurityConfiguration.generatedPassword(user, false))
			.hasMessageContaining("spring.security.user.password")
			.hasMessageContaining("wsgate.demo.enabled=true");
	}

	@Test
	void inTheDemoTheGeneratedPasswordGoesToAnOwnerOnlyFileAndNotToTheLog() throws Exception {
		SecurityProperties.User user = new SecurityProperties().getUser();
		assertThat(user.isPasswordGenerated()).isTrue();
		ListAppender<ILoggingEvent> appender = new ListAppender<>();
		Logger logger = (Logger) LoggerFactory.getLogger(ManagementSecurityConfiguration.class);
		appender.start();
		logger.addAppender(appender);
		try {
			ManagementSecurityConfiguration.generatedPassword(user, true);
		}
		finally {
			logger.detachAppender(appender);
		}
		assertThat(appender.list).hasSize(1);
		String line = appender.list.get(0).getFormattedMessage();
		assertThat(line).doesNotContain(user.getPassword()).contains("user '" + user.getName() + "'");
		Matcher path = Pattern.compile("written to (\\S+) ").matcher(line);
		assertThat(path.find()).as(line).isTrue();
		Path file = Path.of(path.group(1));
		assertThat(Files.readString(file).strip()).isEqualTo(user.getPassword());
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		Files.delete(file);
	}

}
