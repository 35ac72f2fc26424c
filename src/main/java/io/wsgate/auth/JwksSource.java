package io.wsgate.auth;

import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * A route's JWK set, fetched from the identity provider without ever fetching it more than
 * once per {@code refetchInterval}: the keys are fetched on first use and kept; a token whose
 * key is not among them makes the set fetched again (key rotation) only if the last fetch
 * started at least {@code refetchInterval} ago — otherwise the token is simply refused (no key
 * matches: 401). Concurrent requests share one fetch. So random key ids in forged tokens cost
 * the identity provider one fetch per interval, whatever their number.
 *
 * <p>A failed refetch keeps the keys held so far. With no keys yet and the last fetch failed,
 * requests within the interval fail at once ("authentication unavailable", 503) instead of
 * fetching again.
 */
final class JwksSource {

	private static final Logger log = LoggerFactory.getLogger(JwksSource.class);

	/** Thrown (wrapped by Spring Security) when no keys can be had: 503. */
	static final class UnavailableException extends RuntimeException {

		UnavailableException(String message) {
			super(message);
		}

	}

	/** One fetch: when it started, and its result (shared by everyone who waits for it). */
	private record Fetch(long startedNanos, CompletableFuture<JWKSet> result) {
	}

	private final WebClient client;

	private final URI uri;

	private final String description;

	private final long refetchIntervalNanos;

	private final LongSupplier nanoClock;

	/** The keys of the last successful fetch. */
	private volatile @Nullable JWKSet keys;

	private final AtomicReference<@Nullable Fetch> lastFetch = new AtomicReference<>();

	JwksSource(WebClient client, URI uri, String description, Duration refetchInterval) {
		this(client, uri, description, refetchInterval, System::nanoTime);
	}

	JwksSource(WebClient client, URI uri, String description, Duration refetchInterval, LongSupplier nanoClock) {
		this.client = client;
		this.uri = uri;
		this.description = description;
		this.refetchIntervalNanos = refetchInterval.toNanos();
		this.nanoClock = nanoClock;
	}

	/** The keys that may have signed {@code jwt}: for Spring Security's decoder. */
	Flux<JWK> keys(SignedJWT jwt) {
		JWKMatcher matcher = JWKMatcher.forJWSHeader(jwt.getHeader());
		if (matcher == null) {
			return Flux.empty(); // an algorithm no JWK set key can verify: no key matches
		}
		JWKSelector selector = new JWKSelector(matcher);
		return Mono.defer(() -> select(selector)).flatMapIterable(found -> found);
	}

	private Mono<List<JWK>> select(JWKSelector selector) {
		JWKSet held = this.keys;
		if (held != null) {
			List<JWK> found = selector.select(held);
			if (!found.isEmpty()) {
				return Mono.just(found);
			}
		}
		Fetch fetch = fetchIfDue();
		if (fetch == null) {
			if (held != null) {
				return Mono.just(List.of()); // unknown key, refetched not long ago: no key matches
			}
			fetch = this.lastFetch.get(); // no keys yet: wait for the fetch under way, or its failure
		}
		return Mono.fromFuture(fetch.result(), true).map(selector::select).onErrorResume(ex -> {
			JWKSet still = this.keys;
			return (still != null) ? Mono.just(selector.select(still))
					: Mono.error(new UnavailableException("cannot fetch the JWK set"));
		});
	}

	/** A new fetch if none started within the interval (or ever), else {@code null}. */
	private @Nullable Fetch fetchIfDue() {
		while (true) {
			Fetch last = this.lastFetch.get();
			long now = this.nanoClock.getAsLong();
			if (last != null && now - last.startedNanos() < this.refetchIntervalNanos) {
				return null;
			}
			CompletableFuture<JWKSet> result = new CompletableFuture<>();
			Fetch next = new Fetch(now, result);
			if (this.lastFetch.compareAndSet(last, next)) {
				fetch().subscribe(result::complete, result::completeExceptionally);
				return next;
			}
		}
	}

	private Mono<JWKSet> fetch() {
		return this.client.get()
			.uri(this.uri)
			.retrieve()
			.bodyToMono(String.class)
			.switchIfEmpty(Mono.error(() -> new ParseException("empty body", 0)))
			.map(body -> {
				try {
					return JWKSet.parse(body);
				}
				catch (ParseException ex) {
					throw new IllegalStateException(new ParseException("not a JWK set", 0));
				}
			})
			.doOnNext(set -> this.keys = set)
			.doOnError(ex -> log.warn("cannot fetch the JWK set {}: {}", this.description, problem(ex)));
	}

	/** What went wrong, without the answer's body. */
	private static String problem(Throwable ex) {
		if (ex instanceof WebClientResponseException response) {
			return "status " + response.getStatusCode().value();
		}
		if (ex instanceof ParseException || ex.getCause() instanceof ParseException) {
			return "the answer is not a JWK set";
		}
		return ex.getClass().getSimpleName();
	}

	@Override
	public String toString() {
		return this.description;
	}

}
