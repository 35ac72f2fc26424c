package io.wsgate.admin;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where routes created at runtime (through {@code /actuator/gateway/routes}) are kept, under
 * {@code wsgate.routes}: a JSON file (the default), Redis (shared by replicas) or memory only.
 */
@Validated
@ConfigurationProperties("wsgate.routes")
public class RouteStoreProperties {

	/** {@code file}, {@code redis} or {@code memory}. */
	@NotNull
	private Store store = Store.FILE;

	@Valid
	private final File file = new File();

	@Valid
	private final Redis redis = new Redis();

	public Store getStore() {
		return this.store;
	}

	public void setStore(Store store) {
		this.store = store;
	}

	public File getFile() {
		return this.file;
	}

	public Redis getRedis() {
		return this.redis;
	}

	/** The kinds of route store. */
	public enum Store {

		/** One JSON document on the local disk, written atomically. */
		FILE,

		/** A Redis hash, with changes announced to every replica on a channel. */
		REDIS,

		/** Nothing survives a restart. */
		MEMORY

	}

	/** {@code wsgate.routes.file.*}. */
	public static class File {

		/** The JSON document; relative paths start at the working directory. */
		@NotNull
		private Path path = Path.of("data", "routes.json");

		public Path getPath() {
			return this.path;
		}

		public void setPath(Path path) {
			this.path = path;
		}

	}

	/** {@code wsgate.routes.redis.*}; the connection is Spring Boot's {@code spring.data.redis.*}. */
	public static class Redis {

		/** The hash that holds the routes (one field per route id); changes go to {@code <key>:changes}. */
		@NotNull
		@Pattern(regexp = "\\S+", message = "must be a Redis key without white space")
		private String key = "wsgate:routes";

		/**
		 * How often each replica compares the hash with the routes it serves, and reloads them
		 * if they differ (a change announced while it was not listening). 0: never.
		 */
		@NotNull
		@DurationMin(millis = 0)
		@DurationMax(hours = 1)
		private Duration resyncInterval = Duration.ofSeconds(30);

		public String getKey() {
			return this.key;
		}

		public void setKey(String key) {
			this.key = key;
		}

		public Duration getResyncInterval() {
			return this.resyncInterval;
		}

		public void setResyncInterval(Duration resyncInterval) {
			this.resyncInterval = resyncInterval;
		}

	}

}
