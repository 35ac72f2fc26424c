package io.wsgate.proxy;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The start-up warm-up, under {@code wsgate.warmup}: before the gateway reports itself ready,
 * it upgrades WebSocket connections to itself through a route of its own, to a backend of its
 * own, both on loopback, so that the JIT has compiled the upgrade and relay path before the
 * first client storm arrives ({@link Warmup}).
 */
@Validated
@ConfigurationProperties("wsgate.warmup")
public class WarmupProperties {

	/** Whether the gateway warms itself up before it reports ready. */
	private boolean enabled = true;

	/** Longest the warm-up runs; it stops earlier once {@code upgrades} are done. */
	@NotNull
	@DurationMin(millis = 1)
	@DurationMax(minutes = 5)
	private Duration duration = Duration.ofSeconds(8);

	/** Most upgrades the warm-up makes. */
	@Min(1)
	@Max(10_000_000)
	private int upgrades = 30_000;

	/** Warm-up connections in flight at once (bounded too by {@code wsgate.server.max-connections-per-client}). */
	@Min(1)
	@Max(1_000)
	private int concurrency = 16;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getDuration() {
		return this.duration;
	}

	public void setDuration(Duration duration) {
		this.duration = duration;
	}

	public int getUpgrades() {
		return this.upgrades;
	}

	public void setUpgrades(int upgrades) {
		this.upgrades = upgrades;
	}

	public int getConcurrency() {
		return this.concurrency;
	}

	public void setConcurrency(int concurrency) {
		this.concurrency = concurrency;
	}

}
