package io.wsgate.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.ReactiveSubscription;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

/**
 * {@code wsgate.cluster.enabled}: the connections of every replica, through Redis pub/sub.
 *
 * <p>Each replica subscribes to {@code <prefix>:requests}, which every request goes to, and to
 * {@code <prefix>:replies:<replica>}, where the answers to its own come, and keeps itself in
 * the sorted set {@code <prefix>:replicas} with its expiry time as the score, renewed every
 * {@code heartbeat-interval}: a replica that stops renewing (killed, cut off) drops out after
 * {@code replica-expiry}. A request is published once; the replica that made it does its own
 * part directly (it ignores its own request on the channel, so a fan-out reaches each
 * connection once) and waits for the other live replicas' answers, until all have answered,
 * one answer settles it (a connection found), or {@code request-timeout} has passed; the
 * answer names the replicas that did not answer. Nothing about connections is stored in Redis.
 *
 * <p>A request about a connection of this replica never needs Redis. Others fail with a
 * {@link ClusterUnavailableException} while Redis cannot be reached (the commands are
 * rejected at once while the connection is down, see {@code AdminConfiguration}).
 */
final class ClusterConnections implements Connections, SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(ClusterConnections.class);

	private final LocalConnections local;

	private final ReactiveStringRedisTemplate redis;

	private final ReactiveRedisMessageListenerContainer listener;

	private final JsonMapper json = JsonMapper.builder().build();

	private final String replica;

	private final String replicasKey;

	private final String requests;

	private final String replyPrefix;

	private final Duration requestTimeout;

	/** How long a request that delivers a message waits: the local send timeout, then the request timeout. */
	private final Duration deliveryTimeout;

	private final Duration heartbeatInterval;

	private final Duration replicaExpiry;

	/** Answers awaited, by request id. */
	private final Map<String, Sinks.Many<Reply>> awaited = new ConcurrentHashMap<>();

	private volatile @Nullable Disposable subscription;

	private volatile @Nullable Disposable heartbeat;

	/** Whether the last heartbeat failed (logged once per outage). */
	private volatile boolean heartbeatFailing;

	ClusterConnections(LocalConnections local, ReactiveStringRedisTemplate redis,
			ReactiveRedisMessageListenerContainer listener, ClusterProperties cluster, Duration sendTimeout) {
		this.local = local;
		this.redis = redis;
		this.listener = listener;
		this.replica = cluster.replicaId();
		this.replicasKey = cluster.getKeyPrefix() + ":replicas";
		this.requests = cluster.getKeyPrefix() + ":requests";
		this.replyPrefix = cluster.getKeyPrefix() + ":replies:";
		this.requestTimeout = cluster.getRequestTimeout();
		this.deliveryTimeout = sendTimeout.plus(cluster.getRequestTimeout());
		this.heartbeatInterval = cluster.getHeartbeatInterval();
		this.replicaExpiry = cluster.getReplicaExpiry();
	}

	@Override
	public String replica() {
		return this.replica;
	}

	@Override
	public boolean clustered() {
		return true;
	}

	// ---- the requests of this replica ----

	@Override
	public Mono<Listing> list(@Nullable String route, @Nullable String principal, int limit) {
		Request request = Request.of(this.replica, "list").filters(route, principal).limit(limit);
		return liveOthers().flatMap(others -> gather(request, others, this.requestTimeout, reply -> false))
			.map(gathered -> {
				Listing here = this.local.listNow(route, principal, limit);
				List<ConnectionView> all = new ArrayList<>(here.sessions());
				int total = here.total();
				for (Reply reply : gathered.replies()) {
					total += reply.total();
					if (reply.sessions() != null) {
						all.addAll(reply.sessions());
					}
				}
				all.sort(Comparator.comparing(ConnectionView::startedAt));
				return new Listing(total, all.stream().limit(limit).toList(), gathered.unanswered());
			});
	}

	@Override
	public Mono<Lookup> find(String id) {
		ConnectionView here = this.local.view(id);
		if (here != null) {
			return Mono.just(new Lookup(here, List.of()));
		}
		return liveOthers().flatMap(others -> gather(Request.of(this.replica, "find").target(id), others,
				this.requestTimeout, Reply::settles))
			.map(gathered -> gathered.settled()
				.map(reply -> new Lookup(reply.session(), List.of()))
				.orElseGet(() -> new Lookup(null, gathered.unanswered())));
	}

	@Override
	public Mono<Result> close(String id, int code, String reason, String by) {
		if (this.local.holds(id)) {
			return this.local.close(id, code, reason, by);
		}
		Request request = Request.of(this.replica, "close").target(id).close(code, reason).by(by);
		return targeted(id, request, this.requestTimeout);
	}

	@Override
	public Mono<Result> send(String id, boolean text, byte[] payload, String by) {
		if (this.local.holds(id)) {
			return this.local.send(id, text, payload, by);
		}
		Request request = Request.of(this.replica, "send").target(id).message(text, payload).by(by);
		return targeted(id, request, this.deliveryTimeout);
	}

	/** A request about one connection that is not here: the answer of the replica that holds it. */
	private Mono<Result> targeted(String id, Request request, Duration timeout) {
		return liveOthers().flatMap(others -> gather(request, others, timeout, Reply::settles))
			.map(gathered -> gathered.settled()
				.map(reply -> Result.of(reply.outcome(), reply.replica(), reply.message()))
				.orElseGet(() -> new Result(Outcome.NOT_FOUND, null, "no session " + id, gathered.unanswered())));
	}

	@Override
	public Mono<FanOut> fanOut(@Nullable String route, @Nullable String principal, boolean text, byte[] payload,
			String by) {
		Request request = Request.of(this.replica, "fan-out").filters(route, principal).message(text, payload).by(by);
		return liveOthers().flatMap(others -> Mono.zip(this.local.fanOutHere(route, principal, text, payload),
				gather(request, others, this.deliveryTimeout, reply -> false)))
			.map(both -> {
				Map<String, Counts> replicas = new LinkedHashMap<>();
				replicas.put(this.replica, both.getT1());
				for (Reply reply : both.getT2().replies()) {
					replicas.put(reply.replica(), new Counts(reply.matched(), reply.reached()));
				}
				int matched = replicas.values().stream().mapToInt(Counts::matched).sum();
				int reached = replicas.values().stream().mapToInt(Counts::reached).sum();
				return new FanOut(matched, reached, replicas, both.getT2().unanswered());
			});
	}

	/** The other replicas alive now (renewed within the expiry); fails if Redis cannot be asked. */
	private Mono<Set<String>> liveOthers() {
		double now = System.currentTimeMillis();
		return this.redis.opsForZSet()
			.rangeByScore(this.replicasKey, Range.closed(now, Double.MAX_VALUE))
			.filter(member -> !member.equals(this.replica))
			.collect(HashSet<String>::new, Set::add)
			.map(set -> (Set<String>) set)
			.onErrorMap(ex -> unavailable("the replica set cannot be read", ex));
	}

	/**
	 * Publishes {@code request} and collects the answers of {@code others} until each has
	 * answered, one {@code settles} it, or {@code timeout} has passed.
	 */
	private Mono<Gathered> gather(Request request, Set<String> others, Duration timeout, Predicate<Reply> settles) {
		if (others.isEmpty()) {
			return Mono.just(new Gathered(List.of(), List.of()));
		}
		String body = this.json.writeValueAsString(request);
		Sinks.Many<Reply> answers = Sinks.many().unicast().onBackpressureBuffer();
		this.awaited.put(request.id(), answers);
		Set<String> answered = ConcurrentHashMap.newKeySet();
		return this.redis.convertAndSend(this.requests, body)
			.onErrorMap(ex -> unavailable("the request cannot be published", ex))
			.thenMany(answers.asFlux()
				.filter(reply -> others.contains(reply.replica()) && answered.add(reply.replica()))
				.takeUntil(reply -> settles.test(reply) || answered.size() == others.size())
				.take(timeout))
			.collectList()
			.map(replies -> {
				List<String> unanswered = others.stream().filter(other -> !answered.contains(other)).sorted().toList();
				if (!unanswered.isEmpty() && replies.stream().noneMatch(settles)) {
					log.warn("cluster request {} ({}): no answer within {} ms from {}", request.id(), request.op(),
							timeout.toMillis(), unanswered);
				}
				return new Gathered(replies, unanswered);
			})
			.doFinally(signal -> this.awaited.remove(request.id()));
	}

	private ClusterUnavailableException unavailable(String what, Throwable ex) {
		if (ex instanceof ClusterUnavailableException unavailable) {
			return unavailable;
		}
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		return new ClusterUnavailableException("cluster unavailable: Redis does not answer, " + what + " ("
				+ cause.getClass().getSimpleName() + "); connections of this replica still work", ex);
	}

	// ---- the requests of other replicas ----

	private void received(ReactiveSubscription.Message<String, String> message) {
		try {
			if (message.getChannel().equals(this.requests)) {
				Request request = this.json.readValue(message.getMessage(), Request.class);
				if (!request.from().equals(this.replica)) {
					answer(request).subscribe(reply -> reply(request, reply),
							ex -> log.warn("cluster request {} ({}) from {} failed: {}", request.id(), request.op(),
									request.from(), ex.toString()));
				}
			}
			else {
				Reply reply = this.json.readValue(message.getMessage(), Reply.class);
				Sinks.Many<Reply> answers = this.awaited.get(reply.request());
				if (answers != null) {
					answers.emitNext(reply, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
				}
			}
		}
		catch (JacksonException ex) {
			log.warn("cluster message on {} is not one of wsgate's: {}", message.getChannel(), ex.getOriginalMessage());
		}
	}

	/** This replica's part of another's request. */
	private Mono<Reply> answer(Request request) {
		Reply empty = new Reply(request.id(), this.replica, null, "", 0, null, null, 0, 0);
		return switch (request.op()) {
			case "list" -> this.local.list(request.route(), request.principal(), request.limit())
				.map(listing -> empty.listing(listing.total(), listing.sessions()));
			case "find" -> Mono.fromSupplier(() -> empty.found(this.local.view(request.target())));
			case "close" -> this.local.close(request.target(), request.code(), request.reason(), by(request))
				.map(empty::result);
			case "send" -> this.local.send(request.target(), request.text(), request.payload(), by(request))
				.map(empty::result);
			case "fan-out" -> this.local.fanOutHere(request.route(), request.principal(), request.text(),
					request.payload())
				.map(counts -> empty.counts(counts.matched(), counts.reached()));
			default -> Mono.empty();
		};
	}

	private static String by(Request request) {
		return request.by() + " (through replica " + request.from() + ")";
	}

	private void reply(Request request, Reply reply) {
		this.redis.convertAndSend(this.replyPrefix + request.from(), this.json.writeValueAsString(reply))
			.subscribe(null, ex -> log.warn("cluster answer to {} ({}) not sent: {}", request.from(), request.op(),
					ex.toString()));
	}

	// ---- membership ----

	@Override
	public void start() {
		ChannelTopic[] topics = { ChannelTopic.of(this.requests), ChannelTopic.of(this.replyPrefix + this.replica) };
		this.subscription = Flux.defer(() -> this.listener.receiveLater(topics).flatMapMany(messages -> {
			startHeartbeat(); // listening now: others may count on this replica
			return messages;
		}))
			.doOnError(ex -> log.warn("cluster: lost the subscription to {} ({}); subscribing again", this.requests,
					ex.toString()))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500)).maxBackoff(Duration.ofSeconds(5)))
			.subscribe(this::received);
		log.info("cluster: replica {} on {} (expiry {} ms)", this.replica, this.replicasKey,
				this.replicaExpiry.toMillis());
	}

	private synchronized void startHeartbeat() {
		if (this.heartbeat == null) {
			this.heartbeat = Flux.interval(Duration.ZERO, this.heartbeatInterval)
				.onBackpressureDrop()
				.concatMap(tick -> renew())
				.subscribe();
		}
	}

	/** Renews this replica's entry, drops the expired ones, and lets the set itself expire if every replica stops. */
	private Mono<Void> renew() {
		long now = System.currentTimeMillis();
		return this.redis.opsForZSet()
			.add(this.replicasKey, this.replica, now + this.replicaExpiry.toMillis())
			.then(this.redis.opsForZSet().removeRangeByScore(this.replicasKey, Range.closed(0.0, (double) now)))
			.then(this.redis.expire(this.replicasKey, this.replicaExpiry.multipliedBy(2)))
			.doOnSuccess(done -> {
				if (this.heartbeatFailing) {
					this.heartbeatFailing = false;
					log.info("cluster: replica {} announced again", this.replica);
				}
			})
			.onErrorResume(ex -> {
				if (!this.heartbeatFailing) {
					this.heartbeatFailing = true;
					log.warn("cluster: replica {} cannot announce itself ({}); other replicas will stop counting on it",
							this.replica, NestedExceptionUtils.getMostSpecificCause(ex).toString());
				}
				return Mono.empty();
			})
			.then();
	}

	@Override
	public void stop() {
		Disposable beat = this.heartbeat;
		if (beat != null) {
			beat.dispose();
			this.heartbeat = null;
		}
		Disposable listening = this.subscription;
		if (listening != null) {
			listening.dispose();
			this.subscription = null;
		}
		try {
			this.redis.opsForZSet().remove(this.replicasKey, this.replica).block(Duration.ofSeconds(1));
		}
		catch (RuntimeException ex) {
			log.debug("cluster: replica {} not removed from {}: {}", this.replica, this.replicasKey, ex.toString());
		}
		this.listener.destroyLater().subscribe();
	}

	@Override
	public boolean isRunning() {
		return this.subscription != null;
	}

	@Override
	public int getPhase() {
		// stopped after the graceful drain (which runs in the web server's phase), started before it
		return SmartLifecycle.DEFAULT_PHASE - 2048;
	}

	/** The answers gathered, and the replicas that gave none. */
	private record Gathered(List<Reply> replies, List<String> unanswered) {

		Optional<Reply> settled() {
			return this.replies.stream().filter(Reply::settles).findFirst();
		}

	}

	/** A request to every replica, as JSON on the requests channel (a payload in base64). */
	record Request(String id, String from, String op, @Nullable String target, @Nullable String route,
			@Nullable String principal, int limit, int code, @Nullable String reason, boolean text,
			byte @Nullable [] payload, @Nullable String by) {

		static Request of(String from, String op) {
			return new Request(UUID.randomUUID().toString(), from, op, null, null, null, 0, 0, null, false, null, null);
		}

		Request filters(@Nullable String route, @Nullable String principal) {
			return new Request(this.id, this.from, this.op, this.target, route, principal, this.limit, this.code,
					this.reason, this.text, this.payload, this.by);
		}

		Request limit(int limit) {
			return new Request(this.id, this.from, this.op, this.target, this.route, this.principal, limit, this.code,
					this.reason, this.text, this.payload, this.by);
		}

		Request target(String target) {
			return new Request(this.id, this.from, this.op, target, this.route, this.principal, this.limit, this.code,
					this.reason, this.text, this.payload, this.by);
		}

		Request close(int code, String reason) {
			return new Request(this.id, this.from, this.op, this.target, this.route, this.principal, this.limit, code,
					reason, this.text, this.payload, this.by);
		}

		Request message(boolean text, byte[] payload) {
			return new Request(this.id, this.from, this.op, this.target, this.route, this.principal, this.limit,
					this.code, this.reason, text, payload, this.by);
		}

		Request by(String by) {
			return new Request(this.id, this.from, this.op, this.target, this.route, this.principal, this.limit,
					this.code, this.reason, this.text, this.payload, by);
		}

	}

	/** One replica's answer, as JSON on the requester's reply channel. */
	record Reply(String request, String replica, @Nullable Outcome outcome, String message, int total,
			@Nullable List<ConnectionView> sessions, @Nullable ConnectionView session, int matched, int reached) {

		/** Whether this answer settles a request about one connection: that replica holds it. */
		boolean settles() {
			return (this.outcome != null && this.outcome != Outcome.NOT_FOUND) || this.session != null;
		}

		Reply listing(int total, List<ConnectionView> sessions) {
			return new Reply(this.request, this.replica, null, "", total, sessions, null, 0, 0);
		}

		Reply found(@Nullable ConnectionView session) {
			return new Reply(this.request, this.replica, null, "", 0, null, session, 0, 0);
		}

		Reply result(Result result) {
			return new Reply(this.request, this.replica, result.outcome(), result.message(), 0, null, null, 0, 0);
		}

		Reply counts(int matched, int reached) {
			return new Reply(this.request, this.replica, null, "", 0, null, null, matched, reached);
		}

	}

}
