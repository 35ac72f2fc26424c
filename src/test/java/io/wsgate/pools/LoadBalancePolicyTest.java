package io.wsgate.pools;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.cloud.client.DefaultServiceInstance;
import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedMultiValueMap;

import static org.assertj.core.api.Assertions.assertThat;

/** The policies and the health thresholds as plain code, without a server. */
class LoadBalancePolicyTest {

	private final PoolServer a = server(0, 3);

	private final PoolServer b = server(1, 1);

	private final PoolServer c = server(2, 1);

	private final List<PoolServer> servers = List.of(this.a, this.b, this.c);

	@Test
	void weightedInterleavesByWeight() {
		LoadBalancePolicy weighted = policy(PoolProperties.Policy.WEIGHTED);
		StringBuilder order = new StringBuilder();
		for (int i = 0; i < 10; i++) {
			order.append(weighted.choose(this.servers, none()).getInstanceId().charAt(5));
		}
		assertThat(order).hasToString("0102001020");
	}

	@Test
	void ipHashKeepsAKeyOnItsServerWhenAnotherServerLeaves() throws UnknownHostException {
		LoadBalancePolicy ipHash = policy(PoolProperties.Policy.IP_HASH);
		Map<String, PoolServer> before = new HashMap<>();
		for (int i = 1; i <= 60; i++) {
			String ip = "10.0.0." + i;
			before.put(ip, ipHash.choose(this.servers, from(ip)));
		}
		assertThat(before.values()).contains(this.a, this.b, this.c);
		List<PoolServer> withoutC = List.of(this.a, this.b);
		before.forEach((ip, server) -> {
			PoolServer after = ipHash.choose(withoutC, from(ip));
			if (server != this.c) {
				assertThat(after).as(ip + " stays").isSameAs(server);
			}
		});
	}

	@Test
	void headerHashWithoutTheHeaderFallsBackToTurns() {
		PoolProperties.LoadBalance settings = new PoolProperties.LoadBalance();
		settings.setPolicy(PoolProperties.Policy.HEADER_HASH);
		settings.setHeaderName("X-User");
		LoadBalancePolicy headerHash = LoadBalancePolicy.of(settings);
		assertThat(List.of(headerHash.choose(this.servers, none()), headerHash.choose(this.servers, none()),
				headerHash.choose(this.servers, none())))
			.containsExactly(this.a, this.b, this.c);
	}

	@Test
	void aServerLeavesAfterFailsFailuresInARowAndReturnsAfterPassesSuccesses() {
		PoolServer server = server(0, 1);
		assertThat(server.record(failed(), 3, 2)).isFalse();
		assertThat(server.record(failed(), 3, 2)).isFalse();
		assertThat(server.record(passed(), 3, 2)).as("a pass resets the failures").isFalse();
		assertThat(server.record(failed(), 3, 2)).isFalse();
		assertThat(server.record(failed(), 3, 2)).isFalse();
		assertThat(server.isHealthy()).isTrue();
		assertThat(server.record(failed(), 3, 2)).isTrue();
		assertThat(server.isHealthy()).isFalse();
		assertThat(server.record(passed(), 3, 2)).isFalse();
		assertThat(server.record(failed(), 3, 2)).isFalse();
		assertThat(server.record(passed(), 3, 2)).isFalse();
		assertThat(server.isHealthy()).isFalse();
		assertThat(server.record(passed(), 3, 2)).isTrue();
		assertThat(server.isHealthy()).isTrue();
	}

	private static ProbeResult failed() {
		return ProbeResult.failed(Instant.now(), Duration.ofMillis(1), "http: connection refused");
	}

	private static ProbeResult passed() {
		return ProbeResult.passed(Instant.now(), Duration.ofMillis(1));
	}

	private static LoadBalancePolicy policy(PoolProperties.Policy name) {
		PoolProperties.LoadBalance settings = new PoolProperties.LoadBalance();
		settings.setPolicy(name);
		return LoadBalancePolicy.of(settings);
	}

	private static LoadBalancePolicy.Choice none() {
		return new LoadBalancePolicy.Choice(null, HttpHeaders.EMPTY, new LinkedMultiValueMap<>());
	}

	private static LoadBalancePolicy.Choice from(String ip) {
		try {
			return new LoadBalancePolicy.Choice(InetAddress.getByName(ip), HttpHeaders.EMPTY,
					new LinkedMultiValueMap<>());
		}
		catch (UnknownHostException ex) {
			throw new IllegalArgumentException(ex);
		}
	}

	private static PoolServer server(int index, int weight) {
		return new PoolServer("pool", new DefaultServiceInstance("pool-" + index, "pool", "10.1.1." + index,
				9000, false, Map.of(PoolServer.WEIGHT, String.valueOf(weight))));
	}

}
