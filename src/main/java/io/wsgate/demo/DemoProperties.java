package io.wsgate.demo;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** The embedded demo backend, under {@code wsgate.demo}. */
@Validated
@ConfigurationProperties("wsgate.demo")
public class DemoProperties {

	/** Whether the demo backend, its routes ({@code /echo}, {@code /updates}, {@code /api}) and page run. */
	private boolean enabled = true;

	/**
	 * Address the demo backend listens on: loopback, or {@code 0.0.0.0} when other gateways reach
	 * it (the container image's {@code backend} profile).
	 */
	private String host = "127.0.0.1";

	/** Loopback port of the demo backend; 0 picks a free one. */
	@Min(0)
	@Max(65535)
	private int port = 0;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getHost() {
		return this.host;
	}

	public void setHost(String host) {
		this.host = host;
	}

	public int getPort() {
		return this.port;
	}

	public void setPort(int port) {
		this.port = port;
	}

}
