package io.wsgate.proxy;

import org.junit.jupiter.api.Test;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

import static org.assertj.core.api.Assertions.assertThat;

/** The TLS defaults fill in only what the operator left unset (see ClientTlsTest for the handshakes). */
class ClientTlsDefaultsTest {

	@Test
	void aBundleWithoutOptionsGetsTheDefaults() {
		SslBundle bundle = ClientTlsDefaults.withDefaults(SslBundle.of(SslStoreBundle.NONE));
		assertThat(bundle.getOptions().getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
		assertThat(bundle.getOptions().getCiphers()).contains("TLS_AES_128_GCM_SHA256",
				"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
			.noneMatch(suite -> suite.startsWith("TLS_RSA_") || suite.contains("_CBC_") || suite.endsWith("_SHA"));
	}

	@Test
	void theOperatorsChoiceWinsEachOptionOnItsOwn() {
		String[] ciphers = { "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" };
		SslBundle chosenCiphers = SslBundle.of(SslStoreBundle.NONE, null, SslOptions.of(ciphers, null));
		SslBundle bundle = ClientTlsDefaults.withDefaults(chosenCiphers);
		assertThat(bundle.getOptions().getCiphers()).containsExactly(ciphers);
		assertThat(bundle.getOptions().getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
		SslBundle both = SslBundle.of(SslStoreBundle.NONE, null,
				SslOptions.of(ciphers, new String[] { "TLSv1.3" }));
		assertThat(ClientTlsDefaults.withDefaults(both)).isSameAs(both);
	}

}
