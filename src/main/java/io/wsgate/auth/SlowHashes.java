package io.wsgate.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * Stored secrets (API keys, passwords) as SHA-256 or bcrypt hashes. SHA-256 is compared in
 * constant time on the spot; bcrypt is slow on purpose (tens of milliseconds), so it runs on
 * the gateway's bounded {@link SlowHashPool}, never on an event loop: when the pool's queue is
 * full the check fails at once with a {@link RejectedExecutionException} (the upgrade gets 503
 * "authentication busy"). A secret bcrypt accepted is remembered (by its SHA-256, at most
 * {@value #MAX_REMEMBERED}) so that a client reconnecting with the same credential does not pay
 * for it again. A rejected secret is never remembered.
 */
final class SlowHashes {

	static final String BCRYPT_PREFIX = "{bcrypt}";

	static final int MAX_REMEMBERED = 1024;

	private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

	private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]?\\$\\d{2}\\$[./A-Za-z0-9]{53}");

	private static final BCryptPasswordEncoder encoder = new BCryptPasswordEncoder();

	private static final String BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

	private static final SecureRandom random = new SecureRandom();

	private final Scheduler scheduler;

	/** SHA-256 of the secret (hex) to what it identified as; access-ordered, bounded. */
	private final Map<String, String> remembered = new LinkedHashMap<>(16, 0.75f, true) {
		@Override
		protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
			return size() > MAX_REMEMBERED;
		}
	};

	/** @param scheduler the bounded scheduler bcrypt runs on ({@link SlowHashPool#scheduler()}) */
	SlowHashes(Scheduler scheduler) {
		this.scheduler = scheduler;
	}

	/** The refusal when the slow-hash pool is full. */
	static Refusal busy() {
		return new Refusal(503, Refusal.BUSY, "authentication busy", null);
	}

	static boolean isBcrypt(String hash) {
		return hash.startsWith(BCRYPT_PREFIX);
	}

	/**
	 * Checks that a configured hash is usable: 64 hex digits (SHA-256), or {@code {bcrypt}}
	 * and a bcrypt hash.
	 * @throws IllegalArgumentException naming {@code what}
	 */
	static void check(String what, @Nullable String hash, boolean sha256Allowed) {
		if (hash == null) {
			throw new IllegalArgumentException(what + " is required");
		}
		if (isBcrypt(hash)) {
			if (!BCRYPT.matcher(hash.substring(BCRYPT_PREFIX.length())).matches()) {
				throw new IllegalArgumentException(what + " is not a bcrypt hash after {bcrypt}");
			}
			return;
		}
		if (!sha256Allowed || !SHA256_HEX.matcher(hash).matches()) {
			throw new IllegalArgumentException(what + " must be " + (sha256Allowed
					? "a SHA-256 hash (64 hex digits) or {bcrypt} and a bcrypt hash"
					: "{bcrypt} and a bcrypt hash") + " (never the secret itself)");
		}
	}

	static byte[] sha256(String secret) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static byte[] fromHex(String hex) {
		return HexFormat.of().parseHex(hex);
	}

	/** What {@code secret} was accepted as before, if it was. */
	@Nullable String remembered(byte[] secretSha256) {
		synchronized (this.remembered) {
			return this.remembered.get(HexFormat.of().formatHex(secretSha256));
		}
	}

	/**
	 * Checks {@code secret} against bcrypt {@code hashes} (identity to hash) off the event
	 * loop; emits the identity whose hash matches, or nothing.
	 */
	Mono<String> bcrypt(String secret, byte[] secretSha256, Map<String, String> hashes) {
		return Mono.fromCallable(() -> {
			String found = null;
			for (Map.Entry<String, String> entry : hashes.entrySet()) {
				if (matches(secret, entry.getValue()) && found == null) {
					found = entry.getKey();
				}
			}
			if (found != null) {
				synchronized (this.remembered) {
					this.remembered.put(HexFormat.of().formatHex(secretSha256), found);
				}
			}
			return found;
		}).subscribeOn(this.scheduler);
	}

	/**
	 * Checks {@code secret} against {@code dummyHash} and emits nothing, on the same pool: for
	 * an unknown user, so that the answer takes as long as for a known one. Never remembered.
	 */
	Mono<Void> bcryptDummy(String secret, String dummyHash) {
		return Mono.fromRunnable(() -> matches(secret, dummyHash)).subscribeOn(this.scheduler).then();
	}

	/**
	 * A bcrypt hash that no secret matches, of the highest cost (and the first version) among
	 * {@code hashes}: checking a secret against it costs what checking it against theirs does.
	 * Made without hashing (a random salt and a random digest), so cheap whatever the cost.
	 */
	static String dummyHash(Collection<String> hashes) {
		int cost = 4;
		String version = null;
		for (String hash : hashes) {
			if (!isBcrypt(hash)) {
				continue;
			}
			String bcrypt = hash.substring(BCRYPT_PREFIX.length());
			int dollar = bcrypt.indexOf('$', 1);
			if (version == null) {
				version = bcrypt.substring(0, dollar);
			}
			cost = Math.max(cost, Integer.parseInt(bcrypt.substring(dollar + 1, dollar + 3)));
		}
		String salt = BCrypt.gensalt((version != null) ? version : "$2a", cost, random);
		StringBuilder hash = new StringBuilder(BCRYPT_PREFIX).append(salt);
		for (int i = 0; i < 31; i++) {
			hash.append(BCRYPT_ALPHABET.charAt(random.nextInt(BCRYPT_ALPHABET.length())));
		}
		return hash.toString();
	}

	/** The cost ({@code $2a$NN$}) of a {@code {bcrypt}} hash. */
	static int cost(String hash) {
		String bcrypt = hash.substring(BCRYPT_PREFIX.length());
		int dollar = bcrypt.indexOf('$', 1);
		return Integer.parseInt(bcrypt.substring(dollar + 1, dollar + 3));
	}

	private static boolean matches(String secret, String hash) {
		try {
			return encoder.matches(secret, hash.substring(BCRYPT_PREFIX.length()));
		}
		catch (IllegalArgumentException ex) {
			return false; // longer than bcrypt's 72 bytes: cannot match
		}
	}

}
