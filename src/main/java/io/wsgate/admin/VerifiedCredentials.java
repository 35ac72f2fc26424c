package io.wsgate.admin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import reactor.core.publisher.Mono;

import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UserDetailsRepositoryReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.userdetails.ReactiveUserDetailsService;

/**
 * Basic authentication for the management plane that pays for a password hash once per
 * credential, not once per request. A bcrypt check costs about 100 ms of CPU, which is the point
 * against guessing but made every management request that slow: a service pushing messages
 * through the connections API could send about ten a second per core. A credential that passed
 * the full check is remembered for {@link #TTL} as an HMAC-SHA256 of user and password under a
 * key made at startup (never the password itself); a request with the same credential is then
 * checked by comparing that HMAC in constant time. Failures are never remembered, so each wrong
 * guess still costs a full hash. At most {@link #MAX_ENTRIES} credentials are remembered.
 *
 * <p>The users passed in are used as they are: their passwords are not re-encoded on the fly
 * (Spring Security's {@code MapReactiveUserDetailsService} would upgrade a {@code {noop}}
 * password to bcrypt on its first use, making every later request pay for bcrypt).
 */
final class VerifiedCredentials implements ReactiveAuthenticationManager {

	static final Duration TTL = Duration.ofMinutes(5);

	static final int MAX_ENTRIES = 1_000;

	private final ReactiveAuthenticationManager delegate;

	private final SecretKeySpec key;

	private final Map<String, Verified> verified = new ConcurrentHashMap<>();

	private record Verified(byte[] mac, Authentication authentication, long expiresAt) {
	}

	VerifiedCredentials(ReactiveUserDetailsService users) {
		// a plain user details service: no password service, so no re-encoding on success
		ReactiveUserDetailsService plain = users::findByUsername;
		this.delegate = new UserDetailsRepositoryReactiveAuthenticationManager(plain);
		byte[] secret = new byte[32];
		new SecureRandom().nextBytes(secret);
		this.key = new SecretKeySpec(secret, "HmacSHA256");
	}

	@Override
	public Mono<Authentication> authenticate(Authentication authentication) {
		if (!(authentication instanceof UsernamePasswordAuthenticationToken)
				|| !(authentication.getCredentials() instanceof String password)) {
			return this.delegate.authenticate(authentication);
		}
		String user = authentication.getName();
		byte[] mac = mac(user, password);
		Verified known = this.verified.get(user);
		if (known != null && known.expiresAt() > System.nanoTime() && MessageDigest.isEqual(known.mac(), mac)) {
			return Mono.just(known.authentication());
		}
		return this.delegate.authenticate(authentication).doOnNext(result -> remember(user, mac, result));
	}

	private void remember(String user, byte[] mac, Authentication result) {
		if (this.verified.size() >= MAX_ENTRIES) {
			long now = System.nanoTime();
			for (Iterator<Verified> it = this.verified.values().iterator(); it.hasNext();) {
				if (it.next().expiresAt() <= now) {
					it.remove();
				}
			}
			if (this.verified.size() >= MAX_ENTRIES) {
				return;
			}
		}
		this.verified.put(user, new Verified(mac, result, System.nanoTime() + TTL.toNanos()));
	}

	private byte[] mac(String user, String password) {
		try {
			Mac hmac = Mac.getInstance("HmacSHA256");
			hmac.init(this.key);
			hmac.update(user.getBytes(StandardCharsets.UTF_8));
			hmac.update((byte) 0);
			return hmac.doFinal(password.getBytes(StandardCharsets.UTF_8));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("HmacSHA256 is not available", ex);
		}
	}

}
