package io.wsgate.auth;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** {@code WebSocketAuth}'s {@code basic.*}: the HTTP Basic users. */
public class BasicConfig {

	private List<BasicUser> users = new ArrayList<>();

	public List<BasicUser> getUsers() {
		return this.users;
	}

	public BasicConfig setUsers(List<BasicUser> users) {
		this.users = users;
		return this;
	}

	/** A Basic user: name and {@code {bcrypt}} password hash. */
	public static class BasicUser {

		private @Nullable String username;

		private @Nullable String password;

		public @Nullable String getUsername() {
			return this.username;
		}

		public BasicUser setUsername(@Nullable String username) {
			this.username = username;
			return this;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public BasicUser setPassword(@Nullable String password) {
			this.password = password;
			return this;
		}

	}

}
