package io.wsgate.proxy;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The listeners beside Spring Boot's own server ({@code server.port}, which serves HTTPS when
 * {@code server.ssl.bundle} is set), under {@code wsgate.server}: an optional plain HTTP
 * listener serving the same routes, and the HSTS header on HTTPS answers.
 */
@Validated
@ConfigurationProperties("wsgate.server")
public class ListenerProperties {

	/** A plain HTTP listener beside the main one; unset: none. */
	private final Http http = new Http();

	/** {@code Strict-Transport-Security} on answers over HTTPS. */
	private final Hsts hsts = new Hsts();

	public Http getHttp() {
		return this.http;
	}

	public Hsts getHsts() {
		return this.hsts;
	}

	/** {@code wsgate.server.http.*}. */
	public static class Http {

		/** Port of the plain HTTP listener; unset: no such listener. */
		@Min(1)
		@Max(65535)
		private @Nullable Integer port;

		/** Address to bind; unset: all. */
		private @Nullable String address;

		/** Answer plain HTTP requests (not WebSocket upgrades) with a 308 to the same URL on HTTPS. */
		private boolean redirectToHttps;

		/** Whether WebSocket upgrades are served on the plain listener (else 403: use wss://). */
		private boolean websocket = true;

		public @Nullable Integer getPort() {
			return this.port;
		}

		public void setPort(@Nullable Integer port) {
			this.port = port;
		}

		public @Nullable String getAddress() {
			return this.address;
		}

		public void setAddress(@Nullable String address) {
			this.address = address;
		}

		public boolean isRedirectToHttps() {
			return this.redirectToHttps;
		}

		public void setRedirectToHttps(boolean redirectToHttps) {
			this.redirectToHttps = redirectToHttps;
		}

		public boolean isWebsocket() {
			return this.websocket;
		}

		public void setWebsocket(boolean websocket) {
			this.websocket = websocket;
		}

	}

	/** {@code wsgate.server.hsts.*}. */
	public static class Hsts {

		/** Send the header on answers over HTTPS. */
		private boolean enabled = true;

		private Duration maxAge = Duration.ofDays(365);

		private boolean includeSubdomains;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

		public boolean isIncludeSubdomains() {
			return this.includeSubdomains;
		}

		public void setIncludeSubdomains(boolean includeSubdomains) {
			this.includeSubdomains = includeSubdomains;
		}

		/** The header's value. */
		public String value() {
			return "max-age=" + this.maxAge.toSeconds() + (this.includeSubdomains ? "; includeSubDomains" : "");
		}

	}

}
