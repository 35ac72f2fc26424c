package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;

import reactor.core.publisher.Mono;

import io.wsgate.auth.BasicConfig.BasicUser;

/** Checks HTTP Basic credentials against users with {@code {bcrypt}} passwords. */
final class BasicAuthenticator {

	private final Map<String, String> users = new LinkedHashMap<>();

	private final SlowHashes slowHashes;

	/**
	 * Checked when the user is unknown, so that the answer takes as long as for a known one: of
	 * the highest cost among the users' hashes.
	 */
	private final String unknownUserHash;

	private final String realm;

	BasicAuthenticator(BasicConfig config, String realm, SlowHashes slowHashes) {
		this.realm = realm;
		this.slowHashes = slowHashes;
		if (config.getUsers().isEmpty()) {
			throw new IllegalArgumentException("basic.users must list at least one {username, password}");
		}
		for (int i = 0; i < config.getUsers().size(); i++) {
			BasicUser user = config.getUsers().get(i);
			String what = "basic.users[" + i + "]";
			if (user.getUsername() == null || user.getUsername().isBlank() || user.getUsername().contains(":")) {
				throw new IllegalArgumentException(what + ".username is required and may not contain ':'");
			}
			SlowHashes.check(what + ".password", user.getPassword(), false);
			if (this.users.put(user.getUsername(), user.getPassword()) != null) {
				throw new IllegalArgumentException(what + ".username '" + user.getUsername() + "' is listed twice");
			}
		}
		this.unknownUserHash = SlowHashes.dummyHash(this.users.values());
	}

	/** The dummy hash's cost, for tests. */
	int unknownUserCost() {
		return SlowHashes.cost(this.unknownUserHash);
	}

	/** {@code encoded} is what follows {@code Basic } in the Authorization header. */
	Mono<AuthResult> authenticate(String encoded) {
		String decoded;
		try {
			decoded = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return Mono.just(refused(Refusal.MALFORMED, "malformed Basic credentials"));
		}
		int colon = decoded.indexOf(':');
		if (colon < 0) {
			return Mono.just(refused(Refusal.MALFORMED, "malformed Basic credentials"));
		}
		String username = decoded.substring(0, colon);
		String password = decoded.substring(colon + 1);
		String hash = this.users.get(username);
		if (hash == null) {
			// as slow as a known user's check, so that the answer's timing tells nothing
			return this.slowHashes.bcryptDummy(password, this.unknownUserHash)
				.then(Mono.fromSupplier(() -> refused(Refusal.INVALID, "invalid user name or password")))
				.onErrorResume(RejectedExecutionException.class, ex -> Mono.just(AuthResult.refused(SlowHashes.busy())));
		}
		byte[] digest = SlowHashes.sha256(username + '\0' + password);
		if (username.equals(this.slowHashes.remembered(digest))) {
			return Mono.just(accepted(username));
		}
		return this.slowHashes.bcrypt(password, digest, Map.of(username, hash))
			.map(this::accepted)
			.defaultIfEmpty(refused(Refusal.INVALID, "invalid user name or password"))
			.onErrorResume(RejectedExecutionException.class, ex -> Mono.just(AuthResult.refused(SlowHashes.busy())));
	}

	private AuthResult accepted(String username) {
		return AuthResult.accepted(new WebSocketPrincipal(username, "basic", Map.of(), null));
	}

	private AuthResult refused(String reason, String description) {
		return AuthResult.refused(new Refusal(401, reason, description,
				Refusal.challenge("Basic", this.realm, "charset", "UTF-8")));
	}

	@Override
	public String toString() {
		return "basic(" + this.users.size() + " users)";
	}

}
