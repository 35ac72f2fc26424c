package io.wsgate.frames;

import java.time.Duration;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import org.jspecify.annotations.Nullable;

import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;

/**
 * {@code rate-limit}: per connection and direction, at most {@code messagesPerSecond} messages
 * and {@code bytesPerSecond} payload bytes, each with a burst, as token buckets (Bucket4j,
 * greedy refill). A message over either is a violation (dropped by default). The buckets live
 * in the connection's hook attributes and go with it; they are touched on the connection's
 * event loop only, so they take no locks.
 */
final class RateLimitHook implements FrameHook {

	private final long messagesPerSecond;

	private final long messageBurst;

	private final long bytesPerSecond;

	private final long byteBurst;

	private final MessageDecision violation;

	private final String key = "wsgate.rate-limit." + Integer.toHexString(System.identityHashCode(this));

	RateLimitHook(long messagesPerSecond, long messageBurst, long bytesPerSecond, long byteBurst,
			MessageDecision violation) {
		this.messagesPerSecond = messagesPerSecond;
		this.messageBurst = messageBurst;
		this.bytesPerSecond = bytesPerSecond;
		this.byteBurst = byteBurst;
		this.violation = violation;
	}

	@Override
	public MessageDecision inspect(HookContext context, WebSocketMessage message) {
		Buckets buckets = (Buckets) context.attributes()
			.computeIfAbsent(this.key + "." + context.direction(), key -> new Buckets(
					bucket(this.messagesPerSecond, this.messageBurst), bucket(this.bytesPerSecond, this.byteBurst)));
		if (buckets.messages != null && !buckets.messages.tryConsume(1)) {
			return this.violation;
		}
		if (buckets.bytes != null && message.length() > 0 && !buckets.bytes.tryConsume(message.length())) {
			if (buckets.messages != null) {
				buckets.messages.addTokens(1); // the message did not go: it does not count
			}
			return this.violation;
		}
		return MessageDecision.pass();
	}

	private static @Nullable Bucket bucket(long perSecond, long burst) {
		if (perSecond <= 0) {
			return null;
		}
		return Bucket.builder()
			.addLimit(limit -> limit.capacity(burst).refillGreedy(perSecond, Duration.ofSeconds(1)))
			.withSynchronizationStrategy(SynchronizationStrategy.NONE)
			.build();
	}

	private record Buckets(@Nullable Bucket messages, @Nullable Bucket bytes) {
	}

}
