package io.wsgate.admin;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The backend address policy of runtime routes, without a server: loopback, link-local,
 * metadata and unspecified addresses are refused, by literal or by name, unless an allow-list
 * entry (address, CIDR range or host name) names them; private ranges and pools pass.
 */
class BackendAddressPolicyTest {

	private static final BackendAddressPolicy DEFAULT = new BackendAddressPolicy(List.of(), Duration.ofSeconds(2));

	@Test
	void loopbackIsRefusedByDefault() {
		for (String uri : List.of("ws://127.0.0.1:8080", "ws://127.1.2.3", "wss://[::1]:443", "http://localhost:9",
				"ws://[::ffff:127.0.0.1]")) {
			assertThat(DEFAULT.refusal(URI.create(uri))).as(uri).contains("loopback");
		}
	}

	@Test
	void metadataLinkLocalAndUnspecifiedAddressesAreRefused() {
		assertThat(DEFAULT.refusal(URI.create("http://169.254.169.254/latest/meta-data"))).contains("metadata");
		assertThat(DEFAULT.refusal(URI.create("ws://[fd00:ec2::254]"))).contains("metadata");
		assertThat(DEFAULT.refusal(URI.create("ws://100.100.100.200"))).contains("metadata");
		assertThat(DEFAULT.refusal(URI.create("ws://169.254.1.1"))).contains("link-local");
		assertThat(DEFAULT.refusal(URI.create("ws://[fe80::1]"))).contains("link-local");
		assertThat(DEFAULT.refusal(URI.create("ws://0.0.0.0"))).contains("unspecified");
		assertThat(DEFAULT.refusal(URI.create("ws://[::]"))).contains("unspecified");
	}

	@Test
	void privateAndPublicAddressesAndPoolsPass() {
		for (String uri : List.of("ws://10.0.0.5:8080", "ws://192.168.1.10", "wss://172.16.0.1", "ws://[fd12::1]",
				"ws://203.0.113.7", "lb://chat", "lb:ws://chat")) {
			assertThat(DEFAULT.refusal(URI.create(uri))).as(uri).isNull();
		}
	}

	@Test
	void anAllowListEntryLetsAnAddressARangeOrAHostThrough() {
		BackendAddressPolicy policy = new BackendAddressPolicy(List.of(AddressRange.valueOf("127.0.0.1/32"),
				AddressRange.valueOf("fe80::/10"), AddressRange.valueOf("LocalHost")), Duration.ofSeconds(2));
		assertThat(policy.refusal(URI.create("ws://127.0.0.1:9"))).isNull();
		assertThat(policy.refusal(URI.create("ws://127.0.0.2:9"))).contains("loopback");
		assertThat(policy.refusal(URI.create("ws://[fe80::7]"))).isNull();
		assertThat(policy.refusal(URI.create("ws://localhost:9"))).isNull();
		assertThat(policy.refusal(URI.create("ws://169.254.169.254"))).contains("metadata");
	}

	@Test
	void aHostThatDoesNotResolveIsRefused() {
		assertThat(DEFAULT.refusal(URI.create("ws://no-such-host.invalid"))).contains("cannot be resolved");
	}

	@Test
	void badAllowListEntriesAreRefusedWithTheEntry() {
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.valueOf("10.0.0.0/33"))
			.withMessageContaining("10.0.0.0/33");
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.valueOf("300.1.1.1"))
			.withMessageContaining("300.1.1.1");
		assertThatIllegalArgumentException().isThrownBy(() -> AddressRange.valueOf("not a host"))
			.withMessageContaining("not a host");
	}

	@Test
	void secretArgumentsAreKnownByTheirNames() {
		for (String secret : List.of("jwt.secret", "api-keys.keys[0].hash", "basic.users[1].password",
				"Client_Secret", "credentials.x", "token", "api-key")) {
			assertThat(SecretArguments.isSecret(secret)).as(secret).isTrue();
		}
		for (String plain : List.of("jwt.public-key", "jwt.jwk-set-uri", "api-keys.header", "api-keys.keys[0].id",
				"basic.users[0].username", "_genkey_0", "inbound[0].size", "token-sources[0]")) {
			assertThat(SecretArguments.isSecret(plain)).as(plain).isFalse();
		}
	}

}
