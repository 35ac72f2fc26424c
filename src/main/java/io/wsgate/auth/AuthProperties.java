package io.wsgate.auth;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/** Global settings of upgrade-time authentication, under {@code wsgate.auth}. */
@Validated
@ConfigurationProperties("wsgate.auth")
public class AuthProperties {

	/** The bounded pool that checks bcrypt hashes (Basic passwords, bcrypt API keys) for every route. */
	@Valid
	private final SlowHash slowHash = new SlowHash();

	public SlowHash getSlowHash() {
		return this.slowHash;
	}

	/** {@code wsgate.auth.slow-hash.*} */
	public static class SlowHash {

		/** Threads checking bcrypt hashes; unset = one per CPU core. */
		@Min(1)
		@Max(256)
		private @Nullable Integer threads;

		/** Checks that may wait for a thread; beyond them, upgrades get 503 "authentication busy". */
		@Min(0)
		@Max(100_000)
		private int queue = 64;

		public @Nullable Integer getThreads() {
			return this.threads;
		}

		public void setThreads(@Nullable Integer threads) {
			this.threads = threads;
		}

		/** The configured threads, or one per core. */
		int threadCount() {
			return (this.threads != null) ? this.threads : Runtime.getRuntime().availableProcessors();
		}

		public int getQueue() {
			return this.queue;
		}

		public void setQueue(int queue) {
			this.queue = queue;
		}

	}

}
