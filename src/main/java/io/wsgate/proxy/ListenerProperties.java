package io.wsgate.proxy;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The listeners beside Spring Boot's own server ({@code server.port}, which serves HTTPS when
 * {@code server.ssl.bundle} is set), under {@code wsgate.server}: an optional plain HTTP
 * listener serving the same routes, the HSTS header on HTTPS answers, and the bounds every
 * listener puts on clients before their upgrade (request-read deadline, connections per
 * client).
 */
@Validated
@ConfigurationProperties("wsgate.server")
public class ListenerProperties {

	/** A plain HTTP listener beside the main one; unset: none. */
	private final Http http = new Http();

	/** {@code Strict-Transport-Security} on answers over HTTPS. */
	private final Hsts hsts = new Hsts();

	/**
	 * Time a client has, from opening its connection (TLS handshake included) or from the
	 * first byte of a later request on it, to send a request's line and headers; then the
	 * connection is closed. Every listener.
	 */
	@NotNull
	@DurationMin(millis = 1)
	@DurationMax(minutes = 10)
	private Duration requestReadTimeout = Duration.ofSeconds(10);

	/**
	 * Most WebSocket connections (open or in their handshake) from one client address (IPv6:
	 * one /64); over it, 429. 0: no per-client bound.
	 */
	@Min(0)
	@Max(10_000_000)
	private int maxConnectionsPerClient = 500;

	public Http getHttp() {
		return this.http;
	}

	public Duration getRequestReadTimeout() {
		return this.requestReadTimeout;
	}

	public void setRequestReadTimeout(Duration requestReadTimeout) {
		this.requestReadTimeout = requestReadTimeout;
	}

	public int getMaxConnectionsPerClient() {
		return this.maxConnectionsPerClient;
	}

	public void setMaxConnectionsPerClient(int maxConnectionsPerClient) {
		this.maxConnectionsPerClient = maxConnectionsPerClient;
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
