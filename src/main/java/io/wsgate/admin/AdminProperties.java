package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The management plane's users, under {@code wsgate.admin.users.<name>}: each with a
 * {@code {bcrypt}} password hash and a role. Without any, Spring Boot's
 * {@code spring.security.user.*} is the one administrator. {@code wsgate.admin.open-endpoints}
 * names the endpoints anyone may read.
 */
@Validated
@ConfigurationProperties("wsgate.admin")
public class AdminProperties {

	/** Users of the actuator endpoints, by name. */
	private final Map<String, @Valid User> users = new LinkedHashMap<>();

	/**
	 * Endpoints anyone may read (GET) without credentials, from {@link #OPENABLE_ENDPOINTS}.
	 * Unset: {@code health} and {@code info}, and {@code prometheus} too when the actuator has a
	 * port of its own ({@code management.server.port}), which a scraper reaches and clients do not.
	 */
	private @Nullable List<String> openEndpoints;

	/** The endpoints that may be open: they show no route, connection, payload or secret. */
	public static final Set<String> OPENABLE_ENDPOINTS = Set.of("health", "info", "prometheus", "metrics");

	public Map<String, User> getUsers() {
		return this.users;
	}

	public @Nullable List<String> getOpenEndpoints() {
		return this.openEndpoints;
	}

	public void setOpenEndpoints(@Nullable List<String> openEndpoints) {
		if (openEndpoints != null) {
			for (String endpoint : openEndpoints) {
				if (!OPENABLE_ENDPOINTS.contains(endpoint)) {
					throw new IllegalArgumentException("'" + endpoint + "' cannot be open: only "
							+ OPENABLE_ENDPOINTS.stream().sorted().toList()
							+ " may be read without credentials (the others show routes, connections or payloads)");
				}
			}
		}
		this.openEndpoints = openEndpoints;
	}

	/** The endpoints open to anyone: {@link #getOpenEndpoints()}, or its default for the port layout. */
	public List<String> openEndpoints(boolean ownPort) {
		if (this.openEndpoints != null) {
			return this.openEndpoints;
		}
		return ownPort ? List.of("health", "info", "prometheus") : List.of("health", "info");
	}

	/** What a user may do. */
	public enum Role {

		/** Reads every endpoint but {@code wstraffic} and the health details. */
		VIEWER,

		/**
		 * Sends messages to connections ({@code POST /actuator/wssessions/{id}/messages} and
		 * {@code POST /actuator/wssessions/messages}), and nothing else: a backend's credentials.
		 */
		PUBLISHER,

		/** Reads and writes everything. */
		ADMIN

	}

	/** One user. */
	public static class User {

		/** The password's bcrypt hash, as {@code {bcrypt}$2a$10$...} (never the password itself). */
		@NotNull
		@Pattern(regexp = "\\{bcrypt}\\$2[aby]?\\$\\d\\d\\$[./A-Za-z0-9]{53}",
				message = "must be a bcrypt hash with its \\{bcrypt\\} prefix, as \\{bcrypt\\}$2y$10$... (htpasswd -bnBC 10 \"\" PASSWORD)")
		private @Nullable String password;

		/** {@code viewer}, {@code publisher} or {@code admin}. */
		@NotNull
		private @Nullable Role role;

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable Role getRole() {
			return this.role;
		}

		public void setRole(@Nullable Role role) {
			this.role = role;
		}

	}

}
