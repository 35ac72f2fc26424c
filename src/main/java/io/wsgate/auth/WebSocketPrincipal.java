package io.wsgate.auth;

import java.security.Principal;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Who a client authenticated as at upgrade time: kept on the connection (read-only) for the
 * rest of its life, and on the exchange as its {@link java.security.Principal}.
 *
 * <p>{@link #claims()} holds a JWT's claims as Spring Security decoded them (times as
 * {@link Instant}, {@code aud} as a list), plus two of wsgate's own: {@value #METHOD_CLAIM}
 * ({@code jwt}, {@code api-key} or {@code basic}) and, for an API key, {@value #KEY_ID_CLAIM}.
 * An API key's and a Basic user's {@code sub} is the key id and the user name.
 * @param name the subject ({@code sub}), the API key id or the user name
 * @param method how the client authenticated: {@code jwt}, {@code api-key} or {@code basic}
 * @param claims the claims, unmodifiable
 * @param expiresAt when the credential stops being valid, if it says (a JWT's {@code exp})
 */
public record WebSocketPrincipal(String name, String method, Map<String, Object> claims,
		@Nullable Instant expiresAt) implements Principal {

	/** The pseudo-claim naming the method: {@code jwt}, {@code api-key} or {@code basic}. */
	public static final String METHOD_CLAIM = "auth_method";

	/** The pseudo-claim holding an API key's id. */
	public static final String KEY_ID_CLAIM = "key_id";

	public WebSocketPrincipal {
		Map<String, Object> copy = new LinkedHashMap<>(claims);
		copy.put("sub", name);
		copy.put(METHOD_CLAIM, method);
		claims = Collections.unmodifiableMap(copy);
	}

	@Override
	public String getName() {
		return this.name;
	}

	/** A claim's value, or null. */
	public @Nullable Object claim(String claim) {
		return this.claims.get(claim);
	}

	@Override
	public String toString() {
		// never the claims: they may hold personal data, and toString ends up in logs
		return "WebSocketPrincipal[" + this.name + ", " + this.method + "]";
	}

}
