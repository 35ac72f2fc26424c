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

	@Test
	void bufferedMessageDefaultsAreSafe() {
		this.runner.run(context -> {
			WebSocketProperties properties = context.getBean(WebSocketProperties.class);
			assertThat(properties.getMaxBufferedMessage().toMegabytes()).isEqualTo(8);
			assertThat(properties.getMessageBufferBudget().toBytes()).as("a quarter of the heap").isZero();
			assertThat(properties.getMessageTimeout()).hasSeconds(30);
		});
		assertThat(MessageBudget.of(0).limit()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
		assertThat(MessageBudget.of(123_456).limit()).isEqualTo(123_456);
	}

	@Test
	void aBudgetSmallerThanTheLargestBufferedMessageIsRefused() {
		this.runner.withPropertyValues("wsgate.websocket.max-buffered-message=8MB",
				"wsgate.websocket.message-buffer-budget=1MB")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsgate.websocket.message-buffer-budget must be 0 (a quarter of the heap) or "
						+ "at least wsgate.websocket.max-buffered-message"));
	}

	@Test
	void aTinyOrHugeBufferedMessageLimitIsRefused() {
		for (String size : new String[] { "0", "-1", "2GB" }) {
			this.runner.withPropertyValues("wsgate.websocket.max-buffered-message=" + size)
				.run(context -> assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("wsgate.websocket.max-buffered-message must be between 1KB and 1GB"));
		}
	}

	@Test
	void aZeroMessageTimeoutIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.websocket.message-timeout=0s")
			.run(context -> assertThat(context).getFailure().rootCause().hasMessageContaining("messageTimeout"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(WebSocketProperties.class)
	static class Config {

	}

}
