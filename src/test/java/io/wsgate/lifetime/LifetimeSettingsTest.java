package io.wsgate.lifetime;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Bad lifetime settings stop startup (global) or the route (filter) with a message naming them. */
class LifetimeSettingsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void defaultsAreOffExceptTheDrain() {
		this.runner.run(context -> {
			LifetimeProperties properties = context.getBean(LifetimeProperties.class);
			assertThat(properties.getConnectionExpiry()).isZero();
			assertThat(properties.getIdleTimeout()).isZero();
			assertThat(properties.getKeepAlive().getInterval()).isZero();
			assertThat(properties.getKeepAlive().getTimeout()).hasSeconds(10);
			assertThat(properties.getDrainTimeout()).hasSeconds(30);
		});
	}

	@Test
	void negativeIdleTimeoutIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.websocket.idle-timeout=-5s")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("wsgate.websocket")
				.hasMessageContaining("idleTimeout"));
	}

	@Test
	void unparsableKeepAliveIntervalIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.websocket.keep-alive.interval=often")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("Failed to bind properties under 'wsgate.websocket.keep-alive.interval'"));
	}

	@Test
	void zeroKeepAliveTimeoutIsRefused() {
		this.runner.withPropertyValues("wsgate.websocket.keep-alive.timeout=0")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("keepAlive.timeout"));
	}

	@Test
	void filterArgumentsAreChecked() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConnectionExpiryGatewayFilterFactory().apply(new ConnectionExpiryGatewayFilterFactory.Config()))
			.withMessage("ConnectionExpiry: 'expiry' is required (a duration such as 30s; 0 = off)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new ConnectionExpiryGatewayFilterFactory()
				.apply(new ConnectionExpiryGatewayFilterFactory.Config().setExpiry(Duration.ofHours(1)).setCode(1006)))
			.withMessageStartingWith("ConnectionExpiry: connection expiry code must be one a close frame may carry");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new IdleTimeoutGatewayFilterFactory()
				.apply(new IdleTimeoutGatewayFilterFactory.Config().setTimeout(Duration.ofSeconds(-1))))
			.withMessageStartingWith("IdleTimeout: idle timeout must be 0 (off) or a positive duration");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new IdleTimeoutGatewayFilterFactory()
				.apply(new IdleTimeoutGatewayFilterFactory.Config().setTimeout(Duration.ofSeconds(1)).setReason("x".repeat(124))))
			.withMessageContaining("at most 123 bytes");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new KeepAliveGatewayFilterFactory(new LifetimeProperties())
				.apply(new KeepAliveGatewayFilterFactory.Config().setInterval(Duration.ofSeconds(30)).setTimeout(Duration.ZERO)))
			.withMessage("KeepAlive: keep-alive timeout must be positive when pings are sent");
	}

	@Test
	void filtersDescribeThemselves() {
		assertThat(new ConnectionExpiryGatewayFilterFactory()
			.apply(new ConnectionExpiryGatewayFilterFactory.Config().setExpiry(Duration.ofMinutes(90))))
			.hasToString("ConnectionExpiry[1h30m, 1001 \"connection expired\"]");
		assertThat(new KeepAliveGatewayFilterFactory(new LifetimeProperties())
			.apply(new KeepAliveGatewayFilterFactory.Config().setInterval(Duration.ofSeconds(30))))
			.hasToString("KeepAlive[interval=30s, timeout=10s]");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(LifetimeProperties.class)
	static class Config {

	}

}
