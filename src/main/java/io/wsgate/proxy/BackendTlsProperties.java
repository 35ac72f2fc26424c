package io.wsgate.proxy;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * TLS toward {@code wss://} and {@code https://} backends, under {@code wsgate.backend-tls}.
 * By default backends are verified against the JDK's trust store, with host name checks and
 * SNI set to the backend's host.
 */
@ConfigurationProperties("wsgate.backend-tls")
public class BackendTlsProperties {

	/**
	 * A Spring Boot SSL bundle ({@code spring.ssl.bundle.*}): its trust material replaces the
	 * JDK's trust store, and its key material, if any, is the client certificate the gateway
	 * shows backends that ask for one (mTLS). Reloaded when the bundle is.
	 */
	private @Nullable String bundle;

	/** Accept any backend certificate and host name. For development only: logged at startup. */
	private boolean insecureSkipVerify;

	public @Nullable String getBundle() {
		return this.bundle;
	}

	public void setBundle(@Nullable String bundle) {
		this.bundle = bundle;
	}

	public boolean isInsecureSkipVerify() {
		return this.insecureSkipVerify;
	}

	public void setInsecureSkipVerify(boolean insecureSkipVerify) {
		this.insecureSkipVerify = insecureSkipVerify;
	}

}
