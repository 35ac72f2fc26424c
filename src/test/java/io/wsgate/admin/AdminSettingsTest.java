package io.wsgate.admin;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad management settings stop startup with a message naming the property. */
class AdminSettingsTest {

	private static final String HASH = "{bcrypt}$2a$10$goiivR9bUk2/NHk8P529vuRLaPRT3XaQxHbbnCnQtKhLS0sDyKBQa";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void defaultsKeepRuntimeRoutesInDataRoutesJson() {
		// (the test JVM's system properties choose the memory store: the defaults are the classes')
		RouteStoreProperties routes = new RouteStoreProperties();
		assertThat(routes.getStore()).isEqualTo(RouteStoreProperties.Store.FILE);
		assertThat(routes.getFile().getPath()).hasToString("data/routes.json");
		assertThat(routes.getRedis().getKey()).isEqualTo("wsgate:routes");
		assertThat(new AdminProperties().getUsers()).isEmpty();
		assertThat(routes.getBackends().getAllow()).isEmpty();
		assertThat(routes.getInlineSecrets()).isEqualTo(RouteStoreProperties.InlineSecrets.WARN);
	}

	@Test
	void backendAllowListEntriesBindAndABadOneIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.routes.backends.allow=127.0.0.1/32,::1,sidecar.local")
			.run(context -> assertThat(context.getBean(RouteStoreProperties.class).getBackends().getAllow())
				.hasToString("[127.0.0.1/32, ::1, sidecar.local]"));
		this.runner.withPropertyValues("wsgate.routes.backends.allow=10.0.0.0/40")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("wsgate.routes.backends.allow")
				.hasStackTraceContaining("10.0.0.0/40"));
		this.runner.withPropertyValues("wsgate.routes.backends.resolve-timeout=1h")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("backends.resolveTimeout"));
	}

	@Test
	void aUserWithABcryptHashAndARoleIsAccepted() {
		this.runner
			.withPropertyValues("wsgate.admin.users.alice.password=" + HASH, "wsgate.admin.users.alice.role=viewer")
			.run(context -> assertThat(context.getBean(AdminProperties.class).getUsers().get("alice").getRole())
				.isEqualTo(AdminProperties.Role.VIEWER));
	}

	@Test
	void aPlainPasswordIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.admin.users.alice.password=secret", "wsgate.admin.users.alice.role=admin")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("users[alice].password")
				.hasStackTraceContaining("must be a bcrypt hash"));
	}

	@Test
	void aUserWithoutARoleIsRefused() {
		this.runner.withPropertyValues("wsgate.admin.users.alice.password=" + HASH)
			.run(context -> assertThat(context).getFailure().hasStackTraceContaining("users[alice].role"));
	}

	@Test
	void anUnknownStoreIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.routes.store=floppy")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'wsgate.routes.store'"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ AdminProperties.class, RouteStoreProperties.class })
	static class Config {

	}

}
