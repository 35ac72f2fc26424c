package io.wsgate.auth;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

import reactor.core.publisher.Mono;

import io.wsgate.auth.ApiKeysConfig.ApiKey;

/**
 * Checks API keys against the configured hashes. A key's identity ({@code key_id}, and
 * {@code sub}) is its configured {@code id}; the key itself is never kept or logged.
 */
final class ApiKeyAuthenticator {

	private record Sha256Key(String id, byte[] hash) {
	}

	private final List<Sha256Key> sha256Keys = new ArrayList<>();

	private final Map<String, String> bcryptKeys = new LinkedHashMap<>();

	private final SlowHashes slowHashes;

	private final String realm;

	private final String header;

	ApiKeyAuthenticator(ApiKeysConfig config, String realm, SlowHashes slowHashes) {
		this.realm = realm;
		this.slowHashes = slowHashes;
		this.header = config.getHeader();
		if (config.getKeys().isEmpty()) {
			throw new IllegalArgumentException("api-keys.keys must list at least one {id, hash}");
		}
		Set<String> ids = new HashSet<>();
		for (int i = 0; i < config.getKeys().size(); i++) {
			ApiKey key = config.getKeys().get(i);
			String what = "api-keys.keys[" + i + "]";
			if (key.getId() == null || key.getId().isBlank()) {
				throw new IllegalArgumentException(what + ".id is required");
			}
			if (!ids.add(key.getId())) {
				throw new IllegalArgumentException(what + ".id '" + key.getId() + "' is listed twice");
			}
			SlowHashes.check(what + ".hash", key.getHash(), true);
			if (SlowHashes.isBcrypt(key.getHash())) {
				this.bcryptKeys.put(key.getId(), key.getHash());
			}
			else {
				this.sha256Keys.add(new Sha256Key(key.getId(), SlowHashes.fromHex(key.getHash())));
			}
		}
	}

	Mono<AuthResult> authenticate(String presented) {
		byte[] digest = SlowHashes.sha256(presented);
		String found = null;
		for (Sha256Key key : this.sha256Keys) {
			// every key is compared, each in constant time: the time says nothing of the match
			if (MessageDigest.isEqual(key.hash(), digest) && found == null) {
				found = key.id();
			}
		}
		if (found == null && !this.bcryptKeys.isEmpty()) {
			found = this.slowHashes.remembered(digest);
			if (found == null) {
				return this.slowHashes.bcrypt(presented, digest, this.bcryptKeys)
					.map(this::accepted)
					.defaultIfEmpty(refused())
					.onErrorResume(RejectedExecutionException.class,
							ex -> Mono.just(AuthResult.refused(SlowHashes.busy())));
			}
		}
		return Mono.just((found != null) ? accepted(found) : refused());
	}

	private AuthResult accepted(String id) {
		return AuthResult.accepted(new WebSocketPrincipal(id, "api-key",
				Map.of(WebSocketPrincipal.KEY_ID_CLAIM, id), null));
	}

	private AuthResult refused() {
		return AuthResult.refused(new Refusal(401, Refusal.INVALID, "invalid API key",
				Refusal.challenge("ApiKey", this.realm, "header", this.header, "error", "invalid_key")));
	}

	@Override
	public String toString() {
		return "api-keys(" + (this.sha256Keys.size() + this.bcryptKeys.size()) + ")";
	}

}
