package io.wsgate.pools;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** A bad wsgate.pools value stops startup with a message that names the property. */
class PoolSettingsTest {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
		.withUserConfiguration(Config.class)
		.withPropertyValues("wsgate.pools.chat.servers[0].url=ws://10.0.0.5:9000");

	@Test
	void aCompletePoolBindsWithItsDefaults() {
		this.runner
			.withPropertyValues("wsgate.pools.chat.servers[1].url=wss://chat-2.internal",
					"wsgate.pools.chat.servers[1].weight=3", "wsgate.pools.chat.servers[1].keep-host=true",
					"wsgate.pools.chat.load-balance.policy=least-connections",
					"wsgate.pools.chat.health-check.http.uri=/health",
					"wsgate.pools.chat.health-check.http.match-headers.X-Status.exact=ok",
					"wsgate.pools.chat.health-check.ws.uri=/ws")
			.run(context -> {
				assertThat(context).hasNotFailed();
				PoolProperties.Pool pool = context.getBean(PoolProperties.class).getPools().get("chat");
				assertThat(pool.getServers()).hasSize(2);
				assertThat(pool.getServers().get(0).getWeight()).isEqualTo(1);
				assertThat(pool.getServers().get(1).isKeepHost()).isTrue();
				assertThat(pool.getLoadBalance().getPolicy()).isEqualTo(PoolProperties.Policy.LEAST_CONNECTIONS);
				PoolProperties.HealthCheck check = pool.getHealthCheck();
				assertThat(check.getInterval()).hasSeconds(10);
				assertThat(check.getTimeout()).hasSeconds(3);
				assertThat(check.getFails()).isEqualTo(1);
				assertThat(check.getPasses()).isEqualTo(1);
				assertThat(check.getHttp().getStatusCodes()).containsExactly("200-399");
				assertThat(check.getHttp().getMethod()).isEqualTo("GET");
				assertThat(check.getWs().getStatusCodes()).containsExactly("101");
				assertThat(check.getHttp().getMatchHeaders().get("X-Status").getExact()).isEqualTo("ok");
			});
	}

	@Test
	void aServerUrlWithAPathIsRefused() {
		assertRefused("wsgate.pools.chat.servers[0].url: must be scheme://host[:port] only",
				"wsgate.pools.chat.servers[0].url=ws://10.0.0.5:9000/chat");
	}

	@Test
	void aServerUrlOfAnotherSchemeIsRefused() {
		assertRefused("wsgate.pools.chat.servers[1].url: must be a ws://, wss://, http:// or https:// URL",
				"wsgate.pools.chat.servers[1].url=tcp://10.0.0.6:9000");
	}

	@Test
	void aPoolWithoutServersIsRefused() {
		assertRefused("wsgate.pools.empty.servers: a pool needs at least one server",
				"wsgate.pools.empty.load-balance.policy=random");
	}

	@Test
	void aPoolNameThatIsNoHostNameIsRefused() {
		assertRefused("wsgate.pools.chat_pool: a pool name must start with a lowercase letter",
				"wsgate.pools.chat_pool.servers[0].url=ws://10.0.0.5:9000");
	}

	@Test
	void headerHashNeedsAHeaderName() {
		assertRefused("wsgate.pools.chat.load-balance.header-name: the header-hash policy needs a header-name",
				"wsgate.pools.chat.load-balance.policy=header-hash");
	}

	@Test
	void anUnknownPolicyIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.pools.chat.load-balance.policy=fastest")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("wsgate.pools.chat.load-balance.policy"));
	}

	@Test
	void aBadStatusRangeIsRefused() {
		assertRefused("wsgate.pools.chat.health-check.http.status-codes: not a range of status codes within "
				+ "100-599: 399-200", "wsgate.pools.chat.health-check.http.status-codes=399-200");
	}

	@Test
	void aBadHeaderPatternIsRefused() {
		assertRefused("wsgate.pools.chat.health-check.ws.match-headers.x-version.regexp: not a regular expression",
				"wsgate.pools.chat.health-check.ws.match-headers.x-version.regexp=v(2");
	}

	@Test
	void aHealthCheckWithoutProbesIsRefused() {
		assertRefused("wsgate.pools.chat.health-check: a health-check needs an http probe, a ws probe or both",
				"wsgate.pools.chat.health-check.fails=3");
	}

	@Test
	void zeroFailsIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.pools.chat.health-check.http.uri=/health",
				"wsgate.pools.chat.health-check.fails=0")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("pools[chat].healthCheck.fails"));
	}

	@Test
	void aTinyIntervalIsRefusedNamingTheProperty() {
		this.runner.withPropertyValues("wsgate.pools.chat.health-check.http.uri=/health",
				"wsgate.pools.chat.health-check.interval=1ms")
			.run(context -> assertThat(context).getFailure()
				.hasStackTraceContaining("pools[chat].healthCheck.interval"));
	}

	private void assertRefused(String message, String... properties) {
		this.runner.withPropertyValues(properties)
			.run(context -> assertThat(context).getFailure().hasStackTraceContaining(message));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(PoolProperties.class)
	static class Config {

	}

}
