package io.wsgate.proxy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

import io.wsgate.proxy.ConnectionPolicy.Deadline;
import io.wsgate.proxy.ConnectionPolicy.Expiry;
import io.wsgate.proxy.ConnectionPolicy.IdleTimeout;
import io.wsgate.proxy.ConnectionPolicy.KeepAlive;

/**
 * The lifetime timers of one {@link Relay}: absolute expiry, a deadline (a credential's
 * expiry), idle timeout and keep-alive pings. Scheduled on the connection's event loop and confined to it like the relay; all of
 * them stop as soon as the connection starts closing, however it does.
 *
 * <p>Costs nothing per frame beyond a field write: activity is noted once per read batch
 * (and only if an idle timeout is set), and the idle timer re-arms itself from the last
 * activity instead of being rescheduled on every message.
 */
final class RelayTimers {

	private final Relay relay;

	private final EventLoop loop;

	private final Expiry expiry;

	private final IdleTimeout idle;

	private final KeepAlive keepAlive;

	private final @Nullable Deadline deadline;

	private @Nullable ScheduledFuture<?> expiryTimer;

	private @Nullable ScheduledFuture<?> deadlineTimer;

	private @Nullable ScheduledFuture<?> idleTimer;

	private @Nullable ScheduledFuture<?> pingTimer;

	private @Nullable ScheduledFuture<?> pongTimer;

	private long lastActivity;

	/** Per side: the payload of the gateway's last ping, and whether there was one. */
	private final long[] pingPayload = new long[2];

	private final boolean[] pinged = new boolean[2];

	/** Per side: a ping is out, not yet answered, and its timeout is running. */
	private final boolean[] awaitingPong = new boolean[2];

	private final long[] pingSentAt = new long[2];

	/** Per side: whether anything at all arrived from it since the last ping. */
	private final boolean[] heard = new boolean[2];

	private boolean stopped;

	private RelayTimers(Relay relay, EventLoop loop, Expiry expiry, IdleTimeout idle, KeepAlive keepAlive,
			@Nullable Deadline deadline) {
		this.relay = relay;
		this.loop = loop;
		this.expiry = expiry;
		this.idle = idle;
		this.keepAlive = keepAlive;
		this.deadline = deadline;
	}

	/** Timers for the policies that are on, or null when none is. */
	static @Nullable RelayTimers of(Relay relay, EventLoop loop, Expiry expiry, IdleTimeout idle,
			KeepAlive keepAlive, @Nullable Deadline deadline) {
		if (!expiry.enabled() && !idle.enabled() && !keepAlive.enabled() && deadline == null) {
			return null;
		}
		return new RelayTimers(relay, loop, expiry, idle, keepAlive, deadline);
	}

	IdleTimeout idle() {
		return this.idle;
	}

	KeepAlive keepAlive() {
		return this.keepAlive;
	}

	void start() {
		if (this.expiry.enabled()) {
			this.expiryTimer = schedule(this::expired, this.expiry.after().toNanos());
		}
		if (this.deadline != null) {
			long left = Duration.between(Instant.now(), this.deadline.at()).toNanos();
			this.deadlineTimer = schedule(this::deadlinePassed, Math.max(0, left));
		}
		if (this.idle.enabled()) {
			this.lastActivity = System.nanoTime();
			this.idleTimer = schedule(this::checkIdle, this.idle.after().toNanos());
		}
		if (this.keepAlive.enabled()) {
			long interval = this.keepAlive.interval().toNanos();
			this.pingTimer = this.loop.scheduleAtFixedRate(this::ping, interval, interval, TimeUnit.NANOSECONDS);
		}
	}

	/** Cancels every timer; the connection is closing. */
	void stop() {
		if (this.stopped) {
			return;
		}
		this.stopped = true;
		cancel(this.expiryTimer);
		cancel(this.deadlineTimer);
		cancel(this.idleTimer);
		cancel(this.pingTimer);
		cancel(this.pongTimer);
	}

	/** A message (or, if they count, a ping or pong of the peers) passed in either direction. */
	void activity() {
		this.lastActivity = System.nanoTime();
	}

	/** Bytes arrived from {@code side}: it is alive, whatever they are. */
	void heard(Side side) {
		this.heard[side.ordinal()] = true;
	}

	/** Whether {@code payload} answers the gateway's outstanding ping to {@code side}. */
	boolean ownPong(Side side, long payload) {
		int i = side.ordinal();
		if (this.pinged[i] && this.pingPayload[i] == payload) {
			this.awaitingPong[i] = false;
			return true;
		}
		return false;
	}

	private void expired() {
		if (!this.stopped) {
			this.relay.closeByGateway("expired", this.expiry.code(), this.expiry.reason(), this.expiry.code(),
					this.expiry.reason());
		}
	}

	private void deadlinePassed() {
		Deadline passed = this.deadline;
		if (!this.stopped && passed != null) {
			this.relay.closeByGateway(passed.cause(), passed.code(), passed.reason(), passed.code(), passed.reason());
		}
	}

	private void checkIdle() {
		if (this.stopped) {
			return;
		}
		long due = this.lastActivity + this.idle.after().toNanos();
		long left = due - System.nanoTime();
		if (left > 0) {
			this.idleTimer = schedule(this::checkIdle, left);
		}
		else {
			this.relay.closeByGateway("idle", this.idle.code(), this.idle.reason(), this.idle.code(),
					this.idle.reason());
		}
	}

	private void ping() {
		if (this.stopped) {
			return;
		}
		boolean sent = false;
		for (Side side : Side.values()) {
			int i = side.ordinal();
			if (this.awaitingPong[i]) {
				continue; // the previous ping's timeout is still running (timeout >= interval)
			}
			long payload = ThreadLocalRandom.current().nextLong();
			if (this.relay.ping(side, payload)) {
				this.pingPayload[i] = payload;
				this.pinged[i] = true;
				this.awaitingPong[i] = true;
				this.pingSentAt[i] = System.nanoTime();
				this.heard[i] = false;
				sent = true;
			}
		}
		if (sent) {
			this.pongTimer = schedule(this::checkPongs, this.keepAlive.timeout().toNanos());
		}
	}

	private void checkPongs() {
		if (this.stopped) {
			return;
		}
		long now = System.nanoTime();
		long timeout = this.keepAlive.timeout().toNanos();
		for (Side side : Side.values()) {
			int i = side.ordinal();
			if (!this.awaitingPong[i] || now - this.pingSentAt[i] < timeout) {
				continue; // answered, or a later ping whose own check is still to come
			}
			if (this.heard[i]) {
				this.awaitingPong[i] = false; // no pong yet, but it is sending: alive
			}
			else {
				this.relay.unresponsive(side);
				return;
			}
		}
	}

	private ScheduledFuture<?> schedule(Runnable task, long nanos) {
		return this.loop.schedule(task, nanos, TimeUnit.NANOSECONDS);
	}

	private static void cancel(@Nullable ScheduledFuture<?> timer) {
		if (timer != null) {
			timer.cancel(false);
		}
	}

}
