package io.wsgate.cluster;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster's and the connections API's settings: safe defaults, and bad values stop startup naming the property. */
class ClusterSettingsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class);

	@Test
	void defaultsAreOneReplicaWithAGeneratedId() {
		ClusterProperties cluster = new ClusterProperties();
		assertThat(cluster.isEnabled()).isFalse();
		assertThat(cluster.replicaId()).matches("[a-z0-9._-]+-[0-9a-f]{6}").isEqualTo(cluster.replicaId());
		assertThat(new ClusterProperties().replicaId()).isNotEqualTo(cluster.replicaId());
		assertThat(cluster.getRequestTimeout()).hasSeconds(2);
		assertThat(cluster.getReplicaExpiry()).hasSeconds(12);
		ConnectionsProperties connections = new ConnectionsProperties();
		assertThat(connections.getMaxPushSize().toBytes()).isEqualTo(1024 * 1024);
		assertThat(connections.getSendTimeout()).hasSeconds(10);
	}

	@Test
	void badValuesAreRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.cluster.replica-id=has space")
			.run(context -> assertThat(context).getFailure().hasStackTraceContaining("replicaId"));
		this.runner.withPropertyValues("wsgate.cluster.heartbeat-interval=5s", "wsgate.cluster.replica-expiry=6s")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("wsgate.cluster.replica-expiry must be at least twice"));
		this.runner.withPropertyValues("wsgate.connections.max-push-size=64MB")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("wsgate.connections.max-push-size must be between 1B and 16MB"));
		this.runner.withPropertyValues("wsgate.cluster.request-timeout=0s")
			.run(context -> assertThat(context).getFailure().hasStackTraceContaining("requestTimeout"));
		this.runner.withPropertyValues("wsgate.cluster.replica-id=gw-1", "wsgate.cluster.enabled=true")
			.run(context -> assertThat(context.getBean(ClusterProperties.class).replicaId()).isEqualTo("gw-1"));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties({ ClusterProperties.class, ConnectionsProperties.class })
	static class Config {

	}

}
