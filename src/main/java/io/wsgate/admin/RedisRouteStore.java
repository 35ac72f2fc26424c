package io.wsgate.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;

import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

/**
 * {@code wsgate.routes.store=redis}: the runtime routes of every replica in one Redis hash
 * (field: route id, value: the definition as JSON). Each change is published on
 * {@code <key>:changes} as {@code <replica> <route id>}; every other replica reloads its routes
 * when it hears one, so they all serve the same set. A replica that starts later loads the
 * hash as it is then.
 *
 * <p>While Redis cannot be reached, a change fails at once with a {@link RouteStoreException}
 * ({@code route store unavailable: ...}; 503 from the route API), and the routes served stay as
 * they were: commands are rejected while the connection is down and time out after
 * {@code spring.data.redis.timeout} otherwise ({@link AdminConfiguration}). Lettuce subscribes
 * to the channel again when it reconnects; an announcement made before that is found by the
 * periodic resync.
 */
final class RedisRouteStore implements RouteStore, AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisRouteStore.class);

	/** {@code user:password@} of a {@code redis://} URI, which a client's message may quote. */
	private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/@\\s]*@");

	private final ReactiveStringRedisTemplate redis;

	private final ReactiveRedisMessageListenerContainer listener;

	private final String key;

	private final String channel;

	private final RouteJson json;

	/** This replica, so that it does not reload for its own changes (it already did). */
	private final String replica = UUID.randomUUID().toString();

	/** How often the hash is compared with what was last loaded; zero: never. */
	private final Duration resyncInterval;

	/** A digest of the hash as last loaded (its fields and values). */
	private volatile int loadedDigest;

	RedisRouteStore(ReactiveStringRedisTemplate redis, ReactiveRedisMessageListenerContainer listener, String key,
			Duration resyncInterval, RouteJson json) {
		this.resyncInterval = resyncInterval;
		this.redis = redis;
		this.listener = listener;
		this.key = key;
		this.channel = key + ":changes";
		this.json = json;
	}

	/** Routes in id order, so that every replica orders routes of equal {@code order} alike. */
	@Override
	public Mono<Map<String, RouteDefinition>> load() {
		return entries().map(entries -> {
			this.loadedDigest = digest(entries);
			Map<String, RouteDefinition> routes = new TreeMap<>();
			entries.forEach(entry -> {
				try {
					RouteDefinition route = this.json.read(entry.getValue());
					route.setId(entry.getKey());
					routes.put(entry.getKey(), route);
				}
				catch (JacksonException ex) {
					log.error("route store {}: route {} is not a valid route definition and is left out: {}",
							describe(), entry.getKey(), ex.getOriginalMessage());
				}
			});
			return (Map<String, RouteDefinition>) routes;
		}).onErrorMap(ex -> !(ex instanceof RouteStoreException), ex -> unavailable("read", ex));
	}

	private Mono<List<Map.Entry<String, String>>> entries() {
		return this.redis.<String, String>opsForHash().entries(this.key).collectList();
	}

	private static int digest(List<Map.Entry<String, String>> entries) {
		return entries.stream().mapToInt(Map.Entry::hashCode).sum(); // as Map.hashCode: order does not matter
	}

	/**
	 * Emits when the hash differs from what was last loaded: a change whose announcement this
	 * replica missed (Redis delivers announcements only to those listening at the time).
	 */
	private Flux<String> resync() {
		if (this.resyncInterval.isZero()) {
			return Flux.empty();
		}
		return Flux.interval(this.resyncInterval, this.resyncInterval)
			.onBackpressureDrop()
			.concatMap(tick -> entries().map(RedisRouteStore::digest)
				.filter(digest -> digest != this.loadedDigest)
				.map(digest -> "*")
				.onErrorResume(ex -> Mono.empty()));
	}

	@Override
	public Mono<Boolean> save(RouteDefinition route) {
		String value = this.json.write(route);
		return this.redis.<String, String>opsForHash()
			.put(this.key, route.getId(), value)
			.map(added -> !added)
			.flatMap(replaced -> announce(route.getId()).thenReturn(replaced))
			.onErrorMap(ex -> !(ex instanceof RouteStoreException), ex -> unavailable("written", ex));
	}

	@Override
	public Mono<Boolean> delete(String id) {
		return this.redis.<String, String>opsForHash()
			.remove(this.key, id)
			.map(removed -> removed > 0)
			.flatMap(removed -> removed ? announce(id).thenReturn(true) : Mono.just(false))
			.onErrorMap(ex -> !(ex instanceof RouteStoreException), ex -> unavailable("written", ex));
	}

	private Mono<Long> announce(String id) {
		return this.redis.convertAndSend(this.channel, this.replica + " " + id);
	}

	/**
	 * Changes other replicas announce. After the subscription is lost and made again, one
	 * change is emitted at once: announcements may have been missed meanwhile.
	 */
	@Override
	public Flux<String> changes() {
		AtomicBoolean lost = new AtomicBoolean();
		return Flux.defer(() -> this.listener.receiveLater(ChannelTopic.of(this.channel)).flatMapMany(messages -> {
			Flux<String> changes = messages.map(message -> message.getMessage())
				.filter(message -> !message.startsWith(this.replica + " "))
				.map(message -> message.substring(message.indexOf(' ') + 1));
			return lost.getAndSet(false) ? Flux.just("*").concatWith(changes) : changes;
		})).doOnError(ex -> {
			lost.set(true);
			log.warn("route store {}: lost the subscription to {} ({}); subscribing again", describe(), this.channel,
					ex.toString());
		})
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(10)))
			.mergeWith(resync());
	}

	/**
	 * Redis did not answer (down, unreachable, too slow: {@code spring.data.redis.timeout}). The
	 * routes served are not changed; the caller gets 503 ({@link RouteApiErrors}). A write that
	 * timed out may still reach Redis later; then the resync serves it on every replica.
	 */
	private RouteStoreException unavailable(String access, Throwable ex) {
		String message = "route store unavailable: " + describe() + " cannot be " + access + " (" + cause(ex) + ")";
		return new RouteStoreException(("written".equals(access))
				? message + "; the routes served are unchanged, repeat the request when Redis is back" : message, ex);
	}

	/** The innermost cause, by class and message, without the user info of any URI in it. */
	private static String cause(Throwable ex) {
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		String message = (cause.getMessage() != null) ? USER_INFO.matcher(cause.getMessage()).replaceAll("") : "";
		return cause.getClass().getSimpleName() + (message.isBlank() ? "" : ": " + message);
	}

	@Override
	public String describe() {
		return "redis hash " + this.key;
	}

	@Override
	public void close() {
		this.listener.destroyLater().subscribe();
	}

}
