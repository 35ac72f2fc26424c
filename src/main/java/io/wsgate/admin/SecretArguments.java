package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which route arguments hold secrets, by their name alone (whatever the filter): a key one of
 * whose dotted parts, in lower case without {@code -} and {@code _} and without list indexes,
 * contains {@code secret}, {@code password} or {@code credential}, or whose last part is
 * {@code key(s)}, {@code token(s)}, {@code users}, {@code hash}, {@code apikey} or
 * {@code passwd}. So {@code jwt.secret}, {@code api-keys.keys[0].hash} and
 * {@code basic.users[1].password} are secrets, and {@code jwt.public-key},
 * {@code api-keys.keys[0].id}, {@code basic.users[1].username} or {@code api-keys.header} are
 * not. A secret is never shown: every
 * read of a definition gets {@link #REDACTED} in its place.
 */
final class SecretArguments {

	/** What a reader sees instead of a secret. */
	static final String REDACTED = "******";

	private static final Set<String> SECRET_PARTS = Set.of("key", "keys", "token", "tokens", "users", "hash",
			"apikey", "passwd");

	private static final Pattern SECRET_WORDS = Pattern.compile("secret|password|credential");

	private static final Pattern INDEX = Pattern.compile("\\[[^]]*]");

	private SecretArguments() {
	}

	static boolean isSecret(String argument) {
		String normal = INDEX.matcher(argument.toLowerCase(Locale.ROOT)).replaceAll("").replace("-", "").replace("_", "");
		String[] parts = normal.split("\\.");
		if (SECRET_PARTS.contains(parts[parts.length - 1])) {
			return true;
		}
		for (String part : parts) {
			if (SECRET_WORDS.matcher(part).find()) {
				return true;
			}
		}
		return false;
	}

	/** A copy of {@code args} with every secret's value {@link #REDACTED}. */
	static Map<String, String> redacted(Map<String, String> args) {
		Map<String, String> copy = new LinkedHashMap<>();
		args.forEach((name, value) -> copy.put(name, (isSecret(name) && value != null) ? REDACTED : value));
		return copy;
	}

}
