package io.wsgate.proxy;

import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.web.server.Ssl;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.util.StringUtils;

/**
 * The TLS versions and cipher suites clients may use on the main server: TLS 1.3 and 1.2, and
 * only forward-secret AEAD suites (ECDHE with AES-GCM or ChaCha20-Poly1305; TLS 1.3's are all
 * of that kind), where Netty's defaults also accept RSA key exchange and CBC with SHA-1. They
 * apply only where the operator chose nothing: {@code server.ssl.ciphers} and
 * {@code server.ssl.enabled-protocols}, or the bundle's {@code options.ciphers} and
 * {@code options.enabled-protocols}, win, each on its own.
 */
final class ClientTlsDefaults implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>, Ordered {

	static final String[] PROTOCOLS = { "TLSv1.3", "TLSv1.2" };

	/** Mozilla's "intermediate" list without DHE, in its order, with the TLS 1.3 suites first. */
	static final String[] CIPHERS = { "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
			"TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
			"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
			"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
			"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" };

	/** After Spring Boot's customizers, which set the SSL settings and bundles. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void customize(NettyReactiveWebServerFactory factory) {
		Ssl ssl = factory.getSsl();
		if (!Ssl.isEnabled(ssl)) {
			return;
		}
		if (StringUtils.hasText(ssl.getBundle()) || !ssl.getServerNameBundles().isEmpty()) {
			SslBundles bundles = factory.getSslBundles();
			if (bundles != null) {
				factory.setSslBundles(new Defaulted(bundles));
			}
		}
		if (!StringUtils.hasText(ssl.getBundle())) {
			// server.ssl.key-store / certificate: Spring Boot reads the options from server.ssl.*
			if (ssl.getCiphers() == null || ssl.getCiphers().length == 0) {
				ssl.setCiphers(CIPHERS.clone());
			}
			if (ssl.getEnabledProtocols() == null || ssl.getEnabledProtocols().length == 0) {
				ssl.setEnabledProtocols(PROTOCOLS.clone());
			}
		}
	}

	/** The bundle with the defaults for whichever of its two options it leaves unset. */
	static SslBundle withDefaults(SslBundle bundle) {
		SslOptions options = bundle.getOptions();
		String[] ciphers = (options.getCiphers() != null) ? options.getCiphers() : CIPHERS.clone();
		String[] protocols = (options.getEnabledProtocols() != null) ? options.getEnabledProtocols()
				: PROTOCOLS.clone();
		if (ciphers == options.getCiphers() && protocols == options.getEnabledProtocols()) {
			return bundle;
		}
		return SslBundle.of(bundle.getStores(), bundle.getKey(), SslOptions.of(ciphers, protocols),
				bundle.getProtocol(), bundle.getManagers());
	}

	/**
	 * The bundles as the server sees them: each with the defaults, also when it is reloaded.
	 * Only the web server gets this view; other users of a bundle see it as configured.
	 */
	private static final class Defaulted implements SslBundles {

		private final SslBundles bundles;

		Defaulted(SslBundles bundles) {
			this.bundles = bundles;
		}

		@Override
		public SslBundle getBundle(String name) throws NoSuchSslBundleException {
			return withDefaults(this.bundles.getBundle(name));
		}

		@Override
		public void addBundleUpdateHandler(String name, Consumer<SslBundle> updateHandler)
				throws NoSuchSslBundleException {
			this.bundles.addBundleUpdateHandler(name, updated -> updateHandler.accept(withDefaults(updated)));
		}

		@Override
		public void addBundleRegisterHandler(BiConsumer<String, SslBundle> registerHandler) {
			this.bundles.addBundleRegisterHandler(
					(name, bundle) -> registerHandler.accept(name, withDefaults(bundle)));
		}

		@Override
		public List<String> getBundleNames() {
			return this.bundles.getBundleNames();
		}

	}

}
