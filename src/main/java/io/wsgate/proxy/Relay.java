package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
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

import io.wsgate.proxy.CloseStatus.Initiator;
import io.wsgate.proxy.FrameForwarder.Violation;

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

	private final int[] closeCodeReceived = new int[2];

	private final boolean[] gone = new boolean[2];

	private @Nullable ScheduledFuture<?> closeTimer;

	private volatile @Nullable CloseStatus closeStatus;

	private boolean finished;

	Relay(String id, String routeId, InetSocketAddress clientAddress, URI backendUri, @Nullable String subprotocol,
			MessageLimits limits, Duration closeTimeout, ConnectionRegistry registry) {
		this.id = id;
		this.routeId = routeId;
		this.clientAddress = clientAddress;
		this.backendUri = backendUri;
		this.subprotocol = subprotocol;
		this.closeTimeout = closeTimeout;
		this.registry = registry;
		this.inbound = new FrameForwarder(this, Side.CLIENT, limits.inbound());
		this.outbound = new FrameForwarder(this, Side.BACKEND, limits.outbound());
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
		log.info("opened id={} route={} client={} backend={} protocol={}", this.id, this.routeId,
				this.clientAddress, this.backendUri, (this.subprotocol != null) ? this.subprotocol : "-");

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
		if (channel(side).isWritable() && other.isActive()) {
			other.config().setAutoRead(true);
		}
	}

	void inactive(Side side) {
		if (this.gone[side.ordinal()]) {
			return;
		}
		this.gone[side.ordinal()] = true;
		Side other = side.other();
		if (!this.closeReceived[side.ordinal()]) {
			recordClose(Initiator.of(side), CloseFrames.ABNORMAL, "connection lost");
			log.debug("lost id={} side={}", this.id, side.label());
			if (!this.closeSent[other.ordinal()] && !this.gone[other.ordinal()]) {
				if (forwarderFrom(side).midFrame()) {
					// the other side is inside a frame from this one: no close frame fits there
					channel(other).close();
				}
				else if (other == Side.CLIENT) {
					writeClose(other, 1011, "backend connection lost");
				}
				else {
					writeClose(other, 1001, "client connection lost");
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

	/** {@code from} broke a rule: it gets the violation's code, the other side a close too. */
	void violation(Side from, Violation violation) {
		recordClose(Initiator.GATEWAY, violation.code(), violation.reason());
		log.info("violation id={} route={} side={} code={} reason=\"{}\"", this.id, this.routeId, from.label(),
				violation.code(), violation.reason());
		forwarderFrom(from.other()).closeAtBoundary(violation.code(), violation.reason());
		if (from == Side.CLIENT) {
			forwarderFrom(from).closeAtBoundary(1001, "client closed by gateway");
		}
		else if (violation.code() == 1009) {
			forwarderFrom(from).closeAtBoundary(1001, "backend message over the size limit");
		}
		else {
			forwarderFrom(from).closeAtBoundary(1014, "backend protocol error");
		}
		flushBoth();
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
		channel.writeAndFlush(CloseFrames.encode(channel.alloc(), code, reason, to == Side.BACKEND),
				channel.voidPromise());
		armCloseTimer();
		finishSideIfDone(to);
	}

	private void finishSideIfDone(Side side) {
		if (!this.closeSent[side.ordinal()] || !this.closeReceived[side.ordinal()] || this.gone[side.ordinal()]) {
			return;
		}
		if (side == Side.CLIENT) {
			// the gateway is the server on this connection: it ends TCP once the handshake is done
			this.client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
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
		CloseStatus status = this.closeStatus;
		long ageMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.startNanos);
		log.info("closed id={} route={} age={}ms code={} initiator={} in={}f/{}B out={}f/{}B", this.id,
				this.routeId, ageMillis, (status != null) ? status.code() : CloseFrames.ABNORMAL,
				(status != null) ? status.initiator() : "-", this.inbound.frames(), this.inbound.bytes(),
				this.outbound.frames(), this.outbound.bytes());
		this.done.tryEmitEmpty();
	}

	private FrameForwarder forwarderFrom(Side from) {
		return (from == Side.CLIENT) ? this.inbound : this.outbound;
	}

	private Channel channel(Side side) {
		return (side == Side.CLIENT) ? this.client : this.backend;
	}

	private EventLoop eventLoop() {
		return this.client.eventLoop();
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
	public Instant startedAt() {
		return this.startedAt;
	}

	@Override
	public Traffic inbound() {
		return new Traffic(this.inbound.frames(), this.inbound.bytes());
	}

	@Override
	public Traffic outbound() {
		return new Traffic(this.outbound.frames(), this.outbound.bytes());
	}

	@Override
	public @Nullable CloseStatus closeStatus() {
		return this.closeStatus;
	}

	@Override
	public void close(int clientCode, String clientReason, int backendCode, String backendReason) {
		if (!CloseFrames.isSendable(clientCode) || !CloseFrames.isSendable(backendCode)) {
			throw new IllegalArgumentException("not a close code that may be sent: " + clientCode + ", " + backendCode);
		}
		eventLoop().execute(() -> {
			recordClose(Initiator.GATEWAY, clientCode, clientReason);
			this.outbound.closeAtBoundary(clientCode, clientReason);
			this.inbound.closeAtBoundary(backendCode, backendReason);
			flushBoth();
		});
	}

}
