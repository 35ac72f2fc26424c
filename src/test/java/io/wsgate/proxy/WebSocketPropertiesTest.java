package io.wsgate.proxy;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad wsgate.websocket value stops startup with a message that names the property. */
class WebSocketPropertiesTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void defaultsAreValid() {
		this.runner.run(context -> {
			assertThat(context).hasNotFailed();
			WebSocketProperties properties = context.getBean(WebSocketProperties.class);
			assertThat(properties.getMaxMessageSize().toBytes()).isEqualTo(1024 * 1024);
			assertThat(properties.getConnectTimeout()).hasSeconds(10);
		});
	}

	@Test
	void zeroMaxMessageSizeIsRefused() {
		this.runner.withPropertyValues("wsgate.websocket.max-message-size=0")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsgate.websocket.max-message-size must be -1 (unlimited) or a positive size"));
	}

	@Test
	void unlimitedMaxMessageSizeIsAccepted() {
		this.runner.withPropertyValues("wsgate.websocket.max-message-size=-1")
			.run(context -> assertThat(context.getBean(WebSocketProperties.class).getMaxMessageSize().toBytes())
				.isEqualTo(-1));
	}

	@Test
	void zeroConnectTimeoutIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.websocket.connect-timeout=0s")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsgate.websocket")
				.hasMessageContaining("connectTimeout"));
	}

	@Test
	void unparsableDurationIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.websocket.close-timeout=soon")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'wsgate.websocket.close-timeout'"));
	}

	@Test
	void nonPositiveMaxConnectionsIsRefused() {
		this.runner.withPropertyValues("wsgate.websocket.max-connections=0")
			.run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("maxConnections"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(WebSocketProperties.class)
	static class Config {

	}

}
