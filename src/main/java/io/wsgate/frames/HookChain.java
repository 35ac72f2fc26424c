package io.wsgate.frames;

import java.security.Principal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpHeaders;

import io.wsgate.frames.HookContext.Direction;
import io.wsgate.proxy.LogLine;
import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.MessageInspection;
import io.wsgate.proxy.MessageInspector;
import io.wsgate.proxy.ProxiedConnection;
import io.wsgate.proxy.Side;
import io.wsgate.proxy.WebSocketMessage;

/**
 * A route's two hook chains ({@code inbound}, {@code outbound}) and what runs them on each
 * connection. A message goes through its direction's hooks in order: {@code pass} goes on to
 * the next hook, {@code replace} goes on with the replacement, {@code drop} and {@code close}
 * end the chain. An asynchronous hook's decision is awaited for at most {@code asyncTimeout}
 * (then: close 1011, or pass if so configured); the rest of the chain runs on the
 * connection's event loop afterwards.
 */
final class HookChain implements MessageInspection {

	static final Logger log = LoggerFactory.getLogger("io.wsgate.frames");

	/** A hook and its name in logs and metrics. */
	record Link(String name, FrameHook hook) {
	}

	private final List<Link> inbound;

	private final List<Link> outbound;

	private final Duration asyncTimeout;

	private final boolean passOnTimeout;

	private final List<InspectionListener> listeners;

	HookChain(List<Link> inbound, List<Link> outbound, Duration asyncTimeout, boolean passOnTimeout,
			List<InspectionListener> listeners) {
		this.inbound = List.copyOf(inbound);
		this.outbound = List.copyOf(outbound);
		this.asyncTimeout = asyncTimeout;
		this.passOnTimeout = passOnTimeout;
		this.listeners = listeners;
	}

	@Override
	public @Nullable MessageInspector open(ProxiedConnection connection, HttpHeaders upgradeRequest,
			Executor eventLoop) {
		return new ConnectionHooks(connection, upgradeRequest, eventLoop);
	}

	List<Link> links(Direction direction) {
		return (direction == Direction.INBOUND) ? this.inbound : this.outbound;
	}

	@Override
	public String toString() {
		return "inbound=" + this.inbound.stream().map(Link::name).toList() + ", outbound="
				+ this.outbound.stream().map(Link::name).toList();
	}

	/** The chains at work on one connection. */
	private final class ConnectionHooks implements MessageInspector {

		private final ProxiedConnection connection;

		private final HttpHeaders upgradeHeaders;

		private final Executor eventLoop;

		private final Map<String, Object> attributes = new HashMap<>();

		private final Context inboundContext = new Context(Direction.INBOUND);

		private final Context outboundContext = new Context(Direction.OUTBOUND);

		ConnectionHooks(ProxiedConnection connection, HttpHeaders upgradeHeaders, Executor eventLoop) {
			this.connection = connection;
			this.upgradeHeaders = upgradeHeaders;
			this.eventLoop = eventLoop;
		}

		@Override
		public boolean inspects(Side from) {
			return !links(direction(from)).isEmpty();
		}

		@Override
		public MessageDecision inspect(Side from, WebSocketMessage message) {
			Context context = (from == Side.CLIENT) ? this.inboundContext : this.outboundContext;
			return run(context, 0, message, message);
		}

		private MessageDecision run(Context context, int first, WebSocketMessage original, WebSocketMessage message) {
			List<Link> links = links(context.direction);
			WebSocketMessage current = message;
			for (int i = first; i < links.size(); i++) {
				Link link = links.get(i);
				MessageDecision decision;
				try {
					decision = link.hook().inspect(context, current);
				}
				catch (RuntimeException ex) {
					log.warn("hook {} failed on route {}", link.name(), this.connection.routeId(), ex);
					decision = MessageDecision.close(1011, "message inspection failed");
				}
				if (decision == null) {
					decision = MessageDecision.close(1011, "message inspection failed");
				}
				switch (decision.kind()) {
					case PASS -> {
					}
					case REPLACE -> {
						report(context, link, decision);
						current = decision.replacement();
					}
					case LATER -> {
						return MessageDecision.later(await(context, i, original, current, decision.stage()));
					}
					default -> {
						report(context, link, decision);
						return decision;
					}
				}
			}
			return (current == original) ? MessageDecision.pass() : MessageDecision.replace(current);
		}

		/** Waits (bounded) for hook {@code index}'s decision, then runs the rest of the chain on the event loop. */
		private CompletableFuture<MessageDecision> await(Context context, int index, WebSocketMessage original,
				WebSocketMessage current, CompletionStage<MessageDecision> stage) {
			Link link = links(context.direction).get(index);
			CompletableFuture<MessageDecision> decision = new CompletableFuture<>();
			stage.whenComplete((result, failure) -> {
				if (failure != null) {
					decision.completeExceptionally(failure);
				}
				else {
					decision.complete(result);
				}
			});
			return decision.orTimeout(HookChain.this.asyncTimeout.toNanos(), TimeUnit.NANOSECONDS)
				.handleAsync((result, failure) -> {
					MessageDecision next;
					if (failure != null) {
						boolean timedOut = unwrap(failure) instanceof TimeoutException;
						if (timedOut) {
							report(context, link, "timeout", "after " + HookChain.this.asyncTimeout.toMillis() + " ms");
							if (HookChain.this.passOnTimeout) {
								return run(context, index + 1, original, current);
							}
							return MessageDecision.close(1011, "message inspection timed out");
						}
						log.warn("hook {} failed on route {}: {}", link.name(), this.connection.routeId(),
								unwrap(failure).toString());
						next = MessageDecision.close(1011, "message inspection failed");
					}
					else {
						next = (result != null && result.kind() != MessageDecision.Kind.LATER) ? result
								: MessageDecision.close(1011, "message inspection failed");
					}
					return switch (next.kind()) {
						case PASS -> run(context, index + 1, original, current);
						case REPLACE -> {
							report(context, link, next);
							yield run(context, index + 1, original, next.replacement());
						}
						default -> {
							report(context, link, next);
							yield next;
						}
					};
				}, this.eventLoop)
				.thenCompose(next -> (next.stage() != null) ? next.stage() : CompletableFuture.completedFuture(next));
		}

		private void report(Context context, Link link, MessageDecision decision) {
			report(context, link, decision.kind().name().toLowerCase(Locale.ROOT),
					(decision.kind() == MessageDecision.Kind.CLOSE)
							? decision.code() + " \"" + decision.reason() + "\"" : "-");
		}

		private void report(Context context, Link link, String decision, String detail) {
			LogLine.of(log.atInfo(), "inspection")
				.with("id", this.connection.id())
				.with("route", this.connection.routeId())
				.with("direction", context.direction.name().toLowerCase(Locale.ROOT))
				.with("hook", link.name())
				.with("decision", decision)
				.text(" " + detail)
				.log();
			for (InspectionListener listener : HookChain.this.listeners) {
				listener.decided(this.connection.routeId(), link.name(), context.direction, decision);
			}
		}

		private static Throwable unwrap(Throwable failure) {
			return (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure;
		}

		private static Direction direction(Side from) {
			return (from == Side.CLIENT) ? Direction.INBOUND : Direction.OUTBOUND;
		}

		/** The hook context of one direction. */
		private final class Context implements HookContext {

			private final Direction direction;

			Context(Direction direction) {
				this.direction = direction;
			}

			@Override
			public String connectionId() {
				return ConnectionHooks.this.connection.id();
			}

			@Override
			public String routeId() {
				return ConnectionHooks.this.connection.routeId();
			}

			@Override
			public Direction direction() {
				return this.direction;
			}

			@Override
			public HttpHeaders upgradeHeaders() {
				return ConnectionHooks.this.upgradeHeaders;
			}

			@Override
			public @Nullable Principal principal() {
				return ConnectionHooks.this.connection.principal();
			}

			@Override
			public Map<String, Object> attributes() {
				return ConnectionHooks.this.attributes;
			}

		}

	}

}
