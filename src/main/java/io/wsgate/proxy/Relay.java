package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.NettyPipeline;

import org.springframework.http.HttpHeaders;

import io.wsgate.proxy.CloseStatus.Initiator;

/**
 * One proxied WebSocket connection after both handshakes: two channels on one event loop,
 * a {@link FrameForwarder} per direction, and the close handshake carried across exactly.
 *
 * <p>The close rules: a close frame from one side is passed to the other unchanged, and the
 * other side's answer is passed back; the gateway then ends the client's TCP connection (it is
 * the server there) and waits for the backend to end its own. When the gateway itself ends
 * a connection it sends each side a real close frame, at a frame boundary. A side that
 * vanishes without a close frame makes the gateway send the other side one (1011 to a client,
 * 1001 to a backend). A side that does not complete its close handshake within
 * {@code close-timeout} is disconnected.
 *
 * <p>All state is confined to the event loop both channels are registered with, so nothing
 * here is locked; the counters are written by that loop only and may be read anywhere.
 */
final class Relay implements ProxiedConnection {

	static final Logger log = LoggerFactory.getLogger("io.wsgate.connections");

	private final String id;

	private final String routeId;

	/** In the connection log: every connection but the start-up warm-up's. */
	private final boolean logged;

	private final InetSocketAddress clientAddress;

	private final URI backendUri;

	private final @Nullable String subprotocol;

	private final Instant startedAt = Instant.now();

	private final long startNanos = System.nanoTime();

	private final Duration closeTimeout;

	private final ConnectionRegistry registry;

	private final FrameForwarder inbound;

	private final FrameForwarder outbound;

	private final Sinks.Empty<Void> done = Sinks.empty();

	private Channel client;

	private Channel backend;

	private final boolean[] closeSent = new boolean[2];

	private final boolean[] closeReceived = new boolean[2];

	/**
	 * Sides that broke the framing: nothing more is read from them, so no answer to the
	 * gateway's close will be seen, and their connection ends once that close has gone out.
	 */
	private final boolean[] failed = new boolean[2];

	private final int[] closeCodeReceived = new int[2];

	private final boolean[] gone = new boolean[2];

	private @Nullable ScheduledFuture<?> closeTimer;

	private volatile @Nullable CloseStatus closeStatus;

	private final ConnectionPolicy.Expiry expiry;

	private final ConnectionPolicy.IdleTimeout idle;

	private final ConnectionPolicy.KeepAlive keepAlive;

	private final ConnectionPolicy.@Nullable Deadline deadline;

	private final @Nullable Principal principal;

	private final @Nullable MessageInspection inspection;

	private final @Nullable FrameTapping tapping;

	private final HttpHeaders upgradeHeaders;

	private final URI requestUri;

	private @Nullable MessageInspector inspector;

	private @Nullable FrameTap tap;

	/** Expiry, idle timeout and keep-alive, when any is on; created in {@link #start}. */
	private @Nullable RelayTimers timers;

	private boolean finished;

	Relay(String id, String routeId, InetSocketAddress clientAddress, URI backendUri, @Nullable String subprotocol,
			Settings settings, ConnectionRegistry registry) {
		this.id = id;
		this.routeId = routeId;
		this.logged = !Warmup.ROUTE_ID.equals(routeId);
		this.clientAddress = clientAddress;
		this.backendUri = backendUri;
		this.subprotocol = subprotocol;
		this.closeTimeout = settings.closeTimeout();
		this.expiry = settings.expiry();
		this.idle = settings.idle();
		this.keepAlive = settings.keepAlive();
		ConnectionPolicy policy = settings.policy();
		this.deadline = (policy != null) ? policy.deadline() : null;
		this.principal = (policy != null) ? policy.principal() : null;
		this.inspection = (policy != null) ? policy.inspection() : null;
		this.tapping = (policy != null) ? policy.tapping() : null;
		this.upgradeHeaders = settings.upgradeHeaders();
		this.requestUri = settings.requestUri();
		this.registry = registry;
		boolean watchPongs = this.keepAlive.enabled();
		this.inbound = new FrameForwarder(this, Side.CLIENT, settings.limits().inbound(), settings.buffering(),
				this.idle, watchPongs);
		this.outbound = new FrameForwarder(this, Side.BACKEND, settings.limits().outbound(), settings.buffering(),
				this.idle, watchPongs);
		if (settings.clientDeflate() != Deflate.OFF || settings.backendDeflate() != Deflate.OFF) {
			this.inbound.compression(settings.clientDeflate(), settings.backendDeflate() != Deflate.OFF);
			this.outbound.compression(settings.backendDeflate(), settings.clientDeflate() != Deflate.OFF);
		}
	}

	/** What a relay is given by the route and the global settings. */
	record Settings(MessageLimits limits, Duration closeTimeout, ConnectionPolicy.Expiry expiry,
			ConnectionPolicy.IdleTimeout idle, ConnectionPolicy.KeepAlive keepAlive, @Nullable ConnectionPolicy policy,
			HttpHeaders upgradeHeaders, URI requestUri, Deflate clientDeflate, Deflate backendDeflate,
			MessageBuffering buffering) {
	}

	/** permessage-deflate as one side negotiated it: off, or on with or without the peer's context takeover. */
	enum Deflate {

		OFF, PER_MESSAGE, CONTEXT_TAKEOVER;

		static Deflate of(boolean on, boolean contextTakeover) {
			return !on ? OFF : contextTakeover ? CONTEXT_TAKEOVER : PER_MESSAGE;
		}

	}

	/**
	 * Takes over both channels: the client's after its 101 was written, the backend's after
	 * its 101 was read. Must run on the client channel's event loop, which the backend channel
	 * shares.
	 */
	void start(Channel clientChannel, BackendLink link) {
		this.client = clientChannel;
		this.backend = link.channel();
		ChannelPipeline pipeline = clientChannel.pipeline();
		RelayHandler clientHandler = new RelayHandler(this, Side.CLIENT);
		if (pipeline.get(NettyPipeline.ReactiveBridge) != null) {
			pipeline.addBefore(NettyPipeline.ReactiveBridge, RelayHandler.NAME, clientHandler);
		}
		else {
			pipeline.addLast(RelayHandler.NAME, clientHandler);
		}
		// frames pass through as bytes: the WebSocket codec Reactor Netty installed is not needed
		removeIfPresent(pipeline, "wsdecoder");
		removeIfPresent(pipeline, "wsencoder");
		this.outbound.output(pipeline.context(clientHandler));
		this.registry.register(this);
		// a subprotocol may carry a token (bearer.<token>): the log shows bearer.***
		if (this.logged) {
			LogLine.of(log.atInfo(), "opened")
				.with("id", this.id)
				.with("route", this.routeId)
				.with("client", this.clientAddress)
				.with("backend", this.backendUri)
				.with("protocol", (this.subprotocol != null) ? SecretMask.subprotocol(this.subprotocol) : null)
				.with("principal", (this.principal != null) ? this.principal.getName() : null)
				.log();
		}

		if (this.inspection != null) {
			this.inspector = this.inspection.open(this, this.upgradeHeaders, clientChannel.eventLoop());
			if (this.inspector != null) {
				this.inbound.inspectWith(this.inspector);
				this.outbound.inspectWith(this.inspector);
			}
		}
		if (this.tapping != null) {
			this.tap = this.tapping.open(this, this.requestUri, this.upgradeHeaders, link.responseHeaders());
			if (this.tap != null) {
				this.inbound.tapWith(this.tap, this.tapping.previewBytes());
				this.outbound.tapWith(this.tap, this.tapping.previewBytes());
			}
		}
		ChannelHandlerContext backendContext = link.takeOver(new RelayHandler(this, Side.BACKEND));
		this.inbound.output(backendContext);
		this.outbound.flushIfWritten();
		clientChannel.config().setAutoRead(true);
		this.backend.config().setAutoRead(true);
		if (!clientChannel.isActive()) {
			inactive(Side.CLIENT);
		}
		if (!this.backend.isActive()) {
			inactive(Side.BACKEND);
		}
		if (this.closeStatus == null) {
			this.timers = RelayTimers.of(this, clientChannel.eventLoop(), this.expiry, this.idle, this.keepAlive,
					this.deadline);
			if (this.timers != null) {
				this.timers.start();
			}
			if (this.registry.isDraining()) {
				closeByGateway(ConnectionRegistry.SHUTDOWN_CAUSE, CloseCodes.GOING_AWAY, ConnectionRegistry.SHUTDOWN_REASON,
						CloseCodes.GOING_AWAY, ConnectionRegistry.SHUTDOWN_REASON);
			}
		}
	}

	private static void removeIfPresent(ChannelPipeline pipeline, String name) {
		if (pipeline.get(name) != null) {
			pipeline.remove(name);
		}
	}

	/** Completes when both TCP connections are closed. */
	Mono<Void> whenDone() {
		return this.done.asMono();
	}

	// ---- events from the two channels (event loop) ----

	void read(Side from, ByteBuf buf) {
		if (this.timers != null) {
			this.timers.heard(from);
		}
		forwarderFrom(from).read(buf);
	}

	void readComplete(Side from) {
		forwarderFrom(from).flushIfWritten();
	}

	void checkWritable(Side to) {
		if (!channel(to).isWritable()) {
			channel(to.other()).config().setAutoRead(false);
		}
	}

	void writabilityChanged(Side side) {
		Channel other = channel(side.other());
		if (channel(side).isWritable() && other.isActive() && !forwarderFrom(side.other()).awaitingDecision()) {
			other.config().setAutoRead(true);
		}
	}

	/** A message from {@code from} waits for an inspection decision: read nothing more from it. */
	void pauseReading(Side from) {
		channel(from).config().setAutoRead(false);
	}

	/** The decision came: read from {@code from} again, unless its peer cannot take more. */
	void resumeReading(Side from) {
		Channel channel = channel(from);
		if (channel.isActive() && channel(from.other()).isWritable()) {
			channel.config().setAutoRead(true);
		}
	}

	EventLoop eventLoop() {
		return this.client.eventLoop();
	}

	/** Whether the connection is closing, however it began. */
	boolean closing() {
		return this.closeStatus != null;
	}

	void inactive(Side side) {
		if (this.gone[side.ordinal()]) {
			return;
		}
		this.gone[side.ordinal()] = true;
		Side other = side.other();
		if (!this.closeReceived[side.ordinal()]) {
			recordClose(Initiator.of(side), CloseCodes.ABNORMAL, "connection lost");
			log.debug("lost id={} side={}", this.id, side.label());
			if (!this.closeSent[other.ordinal()] && !this.gone[other.ordinal()]) {
				if (forwarderFrom(side).midFrame()) {
					// the other side is inside a frame from this one: no close frame fits there
					channel(other).close();
				}
				else if (other == Side.CLIENT) {
					this.registry.closedByGateway(this, "peer-lost", CloseCodes.INTERNAL_ERROR);
					writeClose(other, CloseCodes.INTERNAL_ERROR, "backend connection lost");
				}
				else {
					this.registry.closedByGateway(this, "peer-lost", CloseCodes.GOING_AWAY);
					writeClose(other, CloseCodes.GOING_AWAY, "client connection lost");
				}
			}
		}
		else if (this.closeReceived[other.ordinal()] && !this.closeSent[other.ordinal()]) {
			// the other side's close went to this one, which left without answering: answer it
			writeClose(other, this.closeCodeReceived[other.ordinal()], "");
		}
		if (this.gone[other.ordinal()]) {
			finish();
		}
		else {
			armCloseTimer();
		}
	}

	// ---- decisions asked for by the forwarders ----

	/** Whether frames from {@code from} are dropped: after its close, or once the other side closed. */
	boolean mustDiscard(Side from) {
		Side to = from.other();
		return this.closeReceived[from.ordinal()] || this.closeSent[to.ordinal()] || this.gone[to.ordinal()];
	}

	/** A message (or a counted ping or pong) passed: the idle timeout starts again. */
	void activity() {
		if (this.timers != null) {
			this.timers.activity();
		}
	}

	/** Whether a pong from {@code from} with {@code payload} answers the gateway's own ping. */
	boolean ownPong(Side from, long payload) {
		return this.timers != null && this.timers.ownPong(from, payload);
	}

	/** Sends a keep-alive ping to {@code to}; false if the connection is closing. */
	boolean ping(Side to, long payload) {
		if (this.closeStatus != null || this.closeSent[to.ordinal()] || this.gone[to.ordinal()]) {
			return false;
		}
		forwarderFrom(to.other()).pingAtBoundary(payload);
		return true;
	}

	/**
	 * {@code side} answered no keep-alive ping in time: its TCP connection is dropped, and the
	 * other side gets a close (1011 to a client, whose backend is gone; 1001 to a backend).
	 */
	void unresponsive(Side side) {
		if (this.closeStatus != null) {
			return;
		}
		int code = (side == Side.BACKEND) ? CloseCodes.INTERNAL_ERROR : CloseCodes.GOING_AWAY;
		String reason = (side == Side.BACKEND) ? "backend unresponsive" : "client unresponsive";
		closedByGateway("unresponsive", code, reason);
		recordClose(Initiator.GATEWAY, code, reason);
		forwarderFrom(side).closeAtBoundary(code, reason);
		channel(side.other()).flush();
		channel(side).close();
	}

	/**
	 * Ends the connection from the gateway (a timer, a shutdown, an operator): each side gets
	 * its close frame at the next frame boundary. Runs on the event loop.
	 */
	void closeByGateway(String cause, int clientCode, String clientReason, int backendCode, String backendReason) {
		if (this.closeStatus != null) {
			return; // already closing, however it began
		}
		closedByGateway(cause, clientCode, clientReason);
		recordClose(Initiator.GATEWAY, clientCode, clientReason);
		this.outbound.closeAtBoundary(clientCode, clientReason);
		this.inbound.closeAtBoundary(backendCode, backendReason);
		flushBoth();
	}

	private void closedByGateway(String cause, int code, String reason) {
		LogLine.of(log.atInfo(), "gateway close")
			.with("id", this.id)
			.with("route", this.routeId)
			.millis("age", ageMillis())
			.with("cause", cause)
			.with("code", code)
			.quoted("reason", reason)
			.log();
		this.registry.closedByGateway(this, cause, code);
	}

	/** {@code from} broke a rule: it gets the violation's code, the other side a close too. */
	void violation(Side from, Violation violation) {
		if (this.closeStatus == null) {
			this.registry.closedByGateway(this, violation.cause(), violation.code());
		}
		recordClose(Initiator.GATEWAY, violation.code(), violation.reason());
		LogLine line = LogLine.of(violation.warns() ? log.atWarn() : log.atInfo(), "violation")
			.with("id", this.id)
			.with("route", this.routeId);
		if (violation.warns()) {
			line.with("client", this.clientAddress);
		}
		line.millis("age", ageMillis())
			.with("side", from.label())
			.with("code", violation.code())
			.quoted("reason", violation.reason());
		if (violation.warns()) {
			line.with("cause", violation.cause());
		}
		line.log();
		forwarderFrom(from.other()).closeAtBoundary(violation.code(), violation.reason());
		if (from == Side.CLIENT) {
			forwarderFrom(from).closeAtBoundary(CloseCodes.GOING_AWAY, "client closed by gateway");
		}
		else if (violation.code() == CloseCodes.MESSAGE_TOO_BIG) {
			forwarderFrom(from).closeAtBoundary(CloseCodes.GOING_AWAY, "backend message over the size limit");
		}
		else if (violation.cause().equals(Violation.OVER_BUDGET)) {
			forwarderFrom(from).closeAtBoundary(violation.code(), violation.reason()); // the gateway is full
		}
		else if (violation.cause().equals(Violation.TIMED_OUT)) {
			forwarderFrom(from).closeAtBoundary(CloseCodes.BAD_GATEWAY, "backend message not completed in time");
		}
		else {
			forwarderFrom(from).closeAtBoundary(CloseCodes.BAD_GATEWAY, "backend protocol error");
		}
		flushBoth();
	}

	/**
	 * {@code from} broke the framing and its forwarder reads no more from it (after
	 * {@link #violation}): once the gateway's close has been written to it, its TCP connection
	 * is closed (RFC 6455 section 7.1.7, "Fail the WebSocket Connection") rather than left
	 * waiting for the close timeout for an answer that would be discarded.
	 */
	void failed(Side from) {
		this.failed[from.ordinal()] = true;
		finishSideIfDone(from);
	}

	/** A whole close frame arrived from {@code from}; {@code passed} if it went on to the other side. */
	void closeReceived(Side from, int code, String reason, boolean passed) {
		this.closeReceived[from.ordinal()] = true;
		this.closeCodeReceived[from.ordinal()] = code;
		recordClose(Initiator.of(from), code, reason);
		if (passed) {
			this.closeSent[from.other().ordinal()] = true;
			forwarderFrom(from).flushIfWritten();
		}
		armCloseTimer();
		finishSideIfDone(from);
		finishSideIfDone(from.other());
	}

	/** Writes a close frame of the gateway's own to {@code to}, unless one was already sent. */
	void writeClose(Side to, int code, String reason) {
		if (this.closeSent[to.ordinal()] || this.gone[to.ordinal()]) {
			return;
		}
		this.closeSent[to.ordinal()] = true;
		Channel channel = channel(to);
		channel.writeAndFlush(ControlFrames.close(channel.alloc(), code, reason, to == Side.BACKEND),
				channel.voidPromise());
		armCloseTimer();
		finishSideIfDone(to);
	}

	private void finishSideIfDone(Side side) {
		int i = side.ordinal();
		if (!this.closeSent[i] || !(this.closeReceived[i] || this.failed[i]) || this.gone[i]) {
			return;
		}
		if (side == Side.CLIENT || this.failed[i]) {
			// the gateway is the server on the client's connection: it ends TCP once the handshake
			// is done; and it ends a connection whose peer broke the framing once its close is out
			channel(side).writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
		}
		// on the backend connection the gateway is the client: the backend ends TCP, or the timer does
	}

	private void armCloseTimer() {
		if (this.closeTimer == null && !this.finished) {
			this.closeTimer = eventLoop().schedule(this::closeTimedOut, this.closeTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	private void closeTimedOut() {
		if (!this.finished) {
			log.debug("close timeout id={}", this.id);
			this.client.close();
			this.backend.close();
		}
	}

	private void recordClose(Initiator initiator, int code, String reason) {
		if (this.closeStatus == null) {
			this.closeStatus = new CloseStatus(code, reason, initiator);
			if (this.timers != null) {
				this.timers.stop(); // no more pings or timer closes once a close is under way
			}
		}
	}

	private void flushBoth() {
		this.client.flush();
		this.backend.flush();
	}

	private void finish() {
		if (this.finished) {
			return;
		}
		this.finished = true;
		if (this.closeTimer != null) {
			this.closeTimer.cancel(false);
		}
		this.registry.unregister(this);
		if (this.timers != null) {
			this.timers.stop();
		}
		this.inbound.release();
		this.outbound.release();
		if (this.inspector != null) {
			try {
				this.inspector.closed();
			}
			catch (RuntimeException ex) {
				log.warn("message inspector failed when connection {} closed", this.id, ex);
			}
		}
		if (this.tap != null) {
			try {
				this.tap.closed(this.closeStatus);
			}
			catch (RuntimeException ex) {
				log.warn("frame tap failed when connection {} closed", this.id, ex);
			}
		}
		CloseStatus status = this.closeStatus;
		if (this.logged) {
			LogLine.of(log.atInfo(), "closed")
				.with("id", this.id)
				.with("route", this.routeId)
				.millis("age", ageMillis())
				.with("code", (status != null) ? status.code() : CloseCodes.ABNORMAL)
				.with("initiator", (status != null) ? status.initiator() : null)
				.traffic("in", this.inbound.frames(), this.inbound.bytes())
				.traffic("out", this.outbound.frames(), this.outbound.bytes())
				.log();
		}
		this.done.tryEmitEmpty();
	}

	private long ageMillis() {
		return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.startNanos);
	}

	private FrameForwarder forwarderFrom(Side from) {
		return (from == Side.CLIENT) ? this.inbound : this.outbound;
	}

	private Channel channel(Side side) {
		return (side == Side.CLIENT) ? this.client : this.backend;
	}

	// ---- ProxiedConnection ----

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String routeId() {
		return this.routeId;
	}

	@Override
	public InetSocketAddress clientAddress() {
		return this.clientAddress;
	}

	@Override
	public URI backend() {
		return this.backendUri;
	}

	@Override
	public @Nullable String subprotocol() {
		return this.subprotocol;
	}

	@Override
	public @Nullable Principal principal() {
		return this.principal;
	}

	@Override
	public Instant startedAt() {
		return this.startedAt;
	}

	@Override
	public Traffic inbound() {
		return traffic(this.inbound);
	}

	@Override
	public Traffic outbound() {
		return traffic(this.outbound);
	}

	private static Traffic traffic(FrameForwarder forwarder) {
		return new Traffic(forwarder.frames(), forwarder.bytes(), forwarder.frames(Opcodes.TEXT),
				forwarder.frames(Opcodes.BINARY), forwarder.frames(Opcodes.CONTINUATION), forwarder.frames(Opcodes.PING),
				forwarder.frames(Opcodes.PONG), forwarder.frames(Opcodes.CLOSE));
	}

	@Override
	public @Nullable CloseStatus closeStatus() {
		return this.closeStatus;
	}

	@Override
	public void close(String cause, int clientCode, String clientReason, int backendCode, String backendReason) {
		ConnectionPolicy.checkClose("client close", clientCode, clientReason);
		ConnectionPolicy.checkClose("backend close", backendCode, backendReason);
		eventLoop().execute(() -> closeByGateway(cause, clientCode, clientReason, backendCode, backendReason));
	}

	@Override
	public CompletionStage<Void> send(boolean text, byte[] payload) {
		long limit = this.outbound.routeLimit();
		if (limit != MessageLimits.UNLIMITED && payload.length > limit) {
			return CompletableFuture.failedFuture(new SendRefusedException(SendRefusedException.Reason.TOO_BIG,
					"message of " + payload.length + " bytes over the route's outbound limit of " + limit + " bytes"));
		}
		if (text && !Utf8.isValid(payload)) {
			return CompletableFuture.failedFuture(
					new SendRefusedException(SendRefusedException.Reason.INVALID_TEXT, "text message is not UTF-8"));
		}
		CompletableFuture<Void> sent = new CompletableFuture<>();
		try {
			eventLoop().execute(() -> this.outbound.push(text ? Opcodes.TEXT : Opcodes.BINARY, payload, sent));
		}
		catch (RejectedExecutionException ex) {
			sent.completeExceptionally(SendRefusedException.closed()); // the event loop is shutting down
		}
		if (log.isDebugEnabled()) {
			log.debug("send id={} route={} type={} bytes={}", this.id, this.routeId, text ? "text" : "binary",
					payload.length);
		}
		return sent;
	}


}
