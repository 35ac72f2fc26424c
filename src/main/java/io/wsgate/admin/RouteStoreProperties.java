package io.wsgate.admin;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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

	@Valid
	private final Backends backends = new Backends();

	/**
	 * What to do with a runtime route that holds a secret in clear (rather than a
	 * {@code ${secret:NAME}} reference): {@code warn} (store it, and log a warning) or
	 * {@code refuse} (400).
	 */
	@NotNull
	private InlineSecrets inlineSecrets = InlineSecrets.WARN;

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

	public Backends getBackends() {
		return this.backends;
	}

	public InlineSecrets getInlineSecrets() {
		return this.inlineSecrets;
	}

	public void setInlineSecrets(InlineSecrets inlineSecrets) {
		this.inlineSecrets = inlineSecrets;
	}

	/** What a secret in clear in a runtime route gets. */
	public enum InlineSecrets {

		/** Stored as it is, with a warning in the log. */
		WARN,

		/** Refused with 400: runtime routes reference their secrets. */
		REFUSE

	}

	/** {@code wsgate.routes.backends.*}: the addresses runtime routes may send traffic to. */
	public static class Backends {

		/**
		 * Addresses, CIDR ranges or host names that runtime routes may reach although they are
		 * loopback, link-local, metadata or unspecified addresses (denied by default), e.g.
		 * {@code 127.0.0.1/32} for a sidecar.
		 */
		@NotNull
		private List<AddressRange> allow = new ArrayList<>();

		/** How long resolving a runtime route's backend host may take before the route is refused. */
		@NotNull
		@DurationMin(millis = 100)
		@DurationMax(seconds = 30)
		private Duration resolveTimeout = Duration.ofSeconds(2);

		public List<AddressRange> getAllow() {
			return this.allow;
		}

		public void setAllow(List<AddressRange> allow) {
			this.allow = allow;
		}

		public Duration getResolveTimeout() {
			return this.resolveTimeout;
		}

		public void setResolveTimeout(Duration resolveTimeout) {
			this.resolveTimeout = resolveTimeout;
		}

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
