package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import org.jspecify.annotations.Nullable;

import io.wsgate.proxy.FrameHeader.Verdict;

/**
 * One direction of a relayed connection: raw bytes read from one side are written to the
 * other unchanged, as slices of the buffers they arrived in. Only frame headers are parsed
 * (RFC 6455 section 5.2), which is enough to count frames, enforce the message size limit
 * before a byte of an oversized frame is passed on, notice close frames, and find the frame
 * boundaries where the gateway may put a close frame of its own.
 *
 * <p>Frames from a client are masked and stay masked on their way to the backend (a backend
 * expects masked frames); frames from a backend are unmasked and stay so. Nothing is
 * decoded, copied or re-encoded on this path. Runs on the connection's event loop only.
 */
final class FrameForwarder {

	/** Opcodes that count as activity for an idle timeout: continuation, text, binary. */
	private static final int DATA_OPCODES = Opcodes.bit(Opcodes.CONTINUATION) | Opcodes.bit(Opcodes.TEXT)
			| Opcodes.bit(Opcodes.BINARY);

	/** Ping and pong, when they count as activity too. */
	private static final int PING_PONG_OPCODES = Opcodes.bit(Opcodes.PING) | Opcodes.bit(Opcodes.PONG);

	private final Relay relay;

	private final Side from;

	private final Side to;

	/** Frames from a client must be masked; frames from a backend must not be. */
	private final boolean expectMasked;

	/** The header of the frame being read; decoded and checked once complete. */
	private final FrameHeader header;

	private final long maxMessageSize;

	/** The budget, cap and deadline of messages held whole: for the {@link MessageCollector}, if there is one. */
	private final MessageBuffering buffering;

	/** Opcodes (as bits) whose frames are activity for the idle timeout; 0 when there is none. */
	private final int activityOpcodes;

	/** Whether the gateway pings {@link #from}: its pongs are then checked before they pass. */
	private final boolean watchPongs;

	/** Where bytes for {@link #to} are written: the relay handler on that side's channel. */
	private ChannelHandlerContext out;

	private boolean inPayload;

	private long payloadLeft;

	private boolean forwarding;

	private byte[] control;

	private int controlLength;

	/** The current frame counts as activity. */
	private boolean activeFrame;

	/** The current frame is a pong held back until it is known whether it answers the gateway. */
	private boolean heldPong;

	private boolean pendingPing;

	private long pendingPingPayload;

	private int pendingCloseCode;

	private String pendingCloseReason;

	private boolean wroteSinceFlush;

	/** After a framing error nothing more from this side can be parsed, so all is dropped. */
	private boolean broken;

	/**
	 * A data frame passed as bytes did not end its message: more fragments follow, and no
	 * other message may come between them (RFC 6455 section 5.4).
	 */
	private boolean fragmentOpen;

	/** Messages of the gateway's own waiting for a message boundary, oldest first; null until one waits. */
	private @Nullable ArrayDeque<Push> pushes;

	/** Messages of the gateway's own not yet written to the socket: waiting here or in Netty's outbound buffer. */
	private int pushesOutstanding;

	/** {@link #from} negotiated permessage-deflate: RSV1 may be set on the first frame of a message. */
	private boolean rsv1Allowed;

	/** Message mode: whole messages are joined (to inspect them, or to (de)compress them); null: bytes pass as they are. */
	private @Nullable MessageCollector messages;

	private boolean released;

	/** What a frame tap sees of each frame; null: no tap. */
	private @Nullable FramePreview preview;

	private volatile long frames;

	private volatile long bytes;

	/** Frames by opcode (written by the event loop only; readers may lag a few frames). */
	private final long[] framesByOpcode = new long[Opcodes.COUNT];

	FrameForwarder(Relay relay, Side from, long maxMessageSize, MessageBuffering buffering,
			ConnectionPolicy.IdleTimeout idle, boolean watchPongs) {
		this.relay = relay;
		this.from = from;
		this.to = from.other();
		this.expectMasked = (from == Side.CLIENT);
		this.header = new FrameHeader(this.expectMasked);
		this.maxMessageSize = maxMessageSize;
		this.buffering = buffering;
		this.activityOpcodes = !idle.enabled() ? 0 : idle.pingsCount() ? DATA_OPCODES | PING_PONG_OPCODES : DATA_OPCODES;
		this.watchPongs = watchPongs;
	}

	void output(ChannelHandlerContext out) {
		this.out = out;
	}

	/** Whole messages from {@link #from} go to {@code inspector} before they are passed on. */
	void inspectWith(MessageInspector inspector) {
		if (inspector.inspects(this.from)) {
			messages().inspectWith(inspector);
		}
	}

	/** permessage-deflate as negotiated: from {@link #from} ({@code inflate}) and to {@link #to} ({@code deflate}). */
	void compression(Relay.Deflate inflate, boolean deflate) {
		this.rsv1Allowed = inflate != Relay.Deflate.OFF;
		if (this.rsv1Allowed || deflate) {
			messages().compression(inflate, deflate);
		}
	}

	private MessageCollector messages() {
		if (this.messages == null) {
			this.messages = new MessageCollector(this.relay, this, this.from, this.header, this.maxMessageSize,
					this.buffering);
		}
		return this.messages;
	}

	/** Every frame from {@link #from} is shown to {@code tap}, with its first {@code previewBytes}. */
	void tapWith(FrameTap tap, int previewBytes) {
		this.preview = new FramePreview(tap, this.from, this.header, previewBytes);
	}

	/** Whether a message from {@link #from} waits for an inspection decision. */
	boolean awaitingDecision() {
		return this.messages != null && this.messages.awaiting();
	}

	/** The connection is over: whatever waits is let go, and late decisions are ignored. */
	void release() {
		this.released = true;
		if (this.messages != null) {
			this.messages.release();
		}
		if (this.pushes != null) {
			Push push;
			while ((push = this.pushes.poll()) != null) {
				push.sent().completeExceptionally(SendRefusedException.closed());
			}
		}
	}

	long frames() {
		return this.frames;
	}

	long bytes() {
		return this.bytes;
	}

	long frames(int opcode) {
		return this.framesByOpcode[opcode];
	}

	/** Whether the stream into {@link #to} is inside a frame, where nothing may be inserted. */
	boolean midFrame() {
		return this.inPayload && this.forwarding;
	}

	/**
	 * Sends a close frame of the gateway's own to {@link #to} at the next frame boundary of
	 * this direction: now if there is one, otherwise as soon as the current frame is through.
	 */
	void closeAtBoundary(int code, String reason) {
		if (midFrame()) {
			this.pendingCloseCode = code;
			this.pendingCloseReason = reason;
		}
		else {
			this.relay.writeClose(this.to, code, reason);
		}
	}

	/**
	 * Sends a keep-alive ping of the gateway's own to {@link #to} at the next frame boundary
	 * of this direction, and flushes it.
	 */
	void pingAtBoundary(long payload) {
		if (midFrame()) {
			this.pendingPing = true;
			this.pendingPingPayload = payload;
		}
		else {
			writePing(payload);
			flushIfWritten();
		}
	}

	private void writePing(long payload) {
		write(ControlFrames.ping(this.out.alloc(), payload, this.to == Side.BACKEND));
	}

	/**
	 * Sends a message of the gateway's own to {@link #to} as one frame (never compressed) at the
	 * next message boundary of this direction: now if there is one, otherwise once the frame or
	 * the fragmented message under way has passed (queued behind the messages already waiting).
	 * {@code sent} completes when the frame has been written to the socket, or fails with a
	 * {@link SendRefusedException}: the connection is closing, or
	 * {@link ProxiedConnection#MAX_PENDING_SENDS} messages are not written yet.
	 */
	void push(int opcode, byte[] payload, CompletableFuture<Void> sent) {
		if (this.released || this.relay.closing() || this.relay.mustDiscard(this.from)) {
			sent.completeExceptionally(SendRefusedException.closed());
			return;
		}
		if (this.pushesOutstanding >= ProxiedConnection.MAX_PENDING_SENDS) {
			sent.completeExceptionally(SendRefusedException.busy());
			return;
		}
		this.pushesOutstanding++;
		Push push = new Push(opcode, payload, sent);
		if (!pushWaiting() && atMessageBoundary()) {
			writePush(push);
			flushIfWritten();
			return;
		}
		if (this.pushes == null) {
			this.pushes = new ArrayDeque<>(4);
		}
		this.pushes.add(push);
	}

	/** Whether nothing may be inserted into the stream into {@link #to} now: inside a frame or a fragmented message. */
	private boolean atMessageBoundary() {
		return !midFrame() && !this.fragmentOpen;
	}

	private boolean pushWaiting() {
		return this.pushes != null && !this.pushes.isEmpty();
	}

	/** At a frame end: the waiting messages go, if it is a message boundary (or fail, if the connection is closing). */
	private void writeWaitingPushes() {
		boolean closing = this.relay.closing() || this.relay.mustDiscard(this.from);
		while (pushWaiting() && (closing || atMessageBoundary())) {
			Push push = this.pushes.poll();
			if (closing) {
				this.pushesOutstanding--;
				push.sent().completeExceptionally(SendRefusedException.closed());
			}
			else {
				writePush(push);
			}
		}
	}

	/** Writes a message of the gateway's own, counted with the frames of this direction. */
	private void writePush(Push push) {
		ByteBuf frame = DataFrames.encode(this.out.alloc(), push.opcode(), push.payload(), push.payload().length,
				this.to == Side.BACKEND);
		int size = frame.readableBytes();
		ChannelFuture written = this.out.write(frame);
		this.wroteSinceFlush = true;
		this.frames++;
		this.framesByOpcode[push.opcode()]++;
		this.bytes += size;
		written.addListener(future -> {
			this.pushesOutstanding--;
			if (future.isSuccess()) {
				push.sent().complete(null);
			}
			else {
				Relay.log.debug("message to the {} not written: {}", this.to.label(), future.cause().toString());
				push.sent().completeExceptionally(SendRefusedException.closed());
			}
		});
		this.relay.checkWritable(this.to);
	}

	/** Passes on what can be passed of {@code in}, and releases it. */
	void read(ByteBuf in) {
		if (awaitingDecision()) {
			this.messages.hold(in); // read before reading was paused: it waits, in order, for the decision
			return;
		}
		final int start = in.readerIndex();
		final int end = in.writerIndex();
		int consumed = end;
		if (this.broken) {
			this.bytes += end - start;
			in.release();
			return;
		}
		int index = start;
		int run = -1; // start of the bytes not yet written that are to be passed on
		int headerStart = this.header.started() ? -1 : start; // -1: began in an earlier buffer
		long framesSeen = 0;
		boolean active = false;
		boolean passedWhole = false;
		try {
			while (index < end) {
				if (this.inPayload) {
					int n = (int) Math.min(this.payloadLeft, end - index);
					if (this.forwarding && run < 0) {
						run = index;
					}
					payload(in, index, n);
					active |= this.activeFrame;
					index += n;
					this.payloadLeft -= n;
				}
				else {
					if (!this.header.started()) {
						headerStart = index;
					}
					if (!this.header.add(in.getByte(index++))) {
						continue;
					}
					Verdict verdict = admitFrame();
					this.activeFrame = (this.activityOpcodes & Opcodes.bit(this.header.opcode())) != 0
							&& verdict != Verdict.HOLD;
					active |= this.activeFrame;
					this.forwarding = (verdict == Verdict.PASS);
					run = this.forwarding ? passHeader(in, run, headerStart, index)
							: emit(in, run, (headerStart >= 0) ? headerStart : start);
					if (verdict.refuses()) {
						if (refuse(verdict)) {
							break;
						}
						continue;
					}
					startPayload(verdict);
				}
				if (this.payloadLeft == 0) {
					framesSeen++;
					this.framesByOpcode[this.header.opcode()]++;
					run = frameComplete(in, run, index);
					if (awaitingDecision()) {
						consumed = this.messages.waitFrom(in, index, end);
						break;
					}
				}
			}
			if (run >= 0) {
				int runEnd = (this.header.started() && headerStart >= 0) ? headerStart : end;
				if (run == start && runEnd == end) {
					passedWhole = true;
					write(in);
				}
				else {
					write(in.retainedSlice(run, runEnd - run));
				}
			}
		}
		finally {
			if (!passedWhole) {
				in.release();
			}
			this.bytes += consumed - start;
			if (framesSeen > 0) {
				this.frames += framesSeen;
			}
			if (active) {
				this.relay.activity();
			}
		}
	}

	/** Payload bytes [index, index + n) of the current frame: kept as the frame needs (they are relayed as they are). */
	private void payload(ByteBuf in, int index, int n) {
		if (this.control != null) {
			in.getBytes(index, this.control, this.controlLength, n);
			this.controlLength += n;
		}
		else if (this.messages != null && this.messages.collecting()) {
			this.messages.collect(in, index, n);
		}
		if (this.preview != null) {
			this.preview.payload(in, index, n, this.payloadLeft);
		}
	}

	/**
	 * The header of a frame to be passed on is complete at {@code index}: it joins the run of
	 * bytes passed on, or, if it began in an earlier buffer, a copy of it is written and the run
	 * starts after it. Returns the run start.
	 */
	private int passHeader(ByteBuf in, int run, int headerStart, int index) {
		if (headerStart >= 0) {
			return (run < 0) ? headerStart : run;
		}
		write(this.header.writeTo(in.alloc().buffer(this.header.size())));
		return index;
	}

	/**
	 * The frame breaks a rule: its sender is closed with the violation. Returns true if this
	 * side's framing is broken, so that nothing more of it can be read; otherwise (a message over
	 * the limit) the rest of the frame is skipped.
	 */
	private boolean refuse(Verdict verdict) {
		this.header.reset();
		this.control = null;
		this.broken = (verdict != Verdict.TOO_BIG);
		if (this.messages != null) {
			this.messages.abandon(); // the message it belonged to ends here
		}
		this.relay.violation(this.from, verdict.reason(maxMessageSize()));
		if (this.broken) {
			this.relay.failed(this.from);
			return true;
		}
		this.payloadLeft = this.header.payloadLength();
		this.inPayload = this.payloadLeft > 0;
		return false;
	}

	/** The frame's header has been admitted: its payload follows. */
	private void startPayload(Verdict verdict) {
		this.header.reset();
		this.payloadLeft = this.header.payloadLength();
		this.inPayload = true;
		if (this.preview != null) {
			this.preview.start(this.payloadLeft);
		}
		if (verdict == Verdict.INSPECT) {
			this.messages.startFrame();
		}
	}

	/** Flushes what {@link #read} wrote, once per batch of reads. */
	void flushIfWritten() {
		if (this.wroteSinceFlush) {
			this.wroteSinceFlush = false;
			this.out.flush();
		}
	}

	/**
	 * The current frame's last byte is at {@code index - 1}. Most frames need nothing more and
	 * stay in the run of bytes being passed on; a close frame, or a close of the gateway's own
	 * waiting for this boundary, needs the run written first. Returns the run start.
	 */
	private int frameComplete(ByteBuf in, int run, int index) {
		if (this.control == null && this.pendingCloseReason == null && !this.pendingPing && !collecting()
				&& this.preview == null && !pushWaiting()) {
			this.inPayload = false;
			return run;
		}
		int rest = emit(in, run, index);
		frameEnd();
		return rest;
	}

	/** Writes bytes [run, upTo) of {@code in}, if any; returns the new run start (none). */
	private int emit(ByteBuf in, int run, int upTo) {
		if (run >= 0 && upTo > run) {
			write(in.retainedSlice(run, upTo - run));
		}
		return -1;
	}

	private boolean collecting() {
		return this.messages != null && this.messages.collecting();
	}

	ByteBufAllocator alloc() {
		return this.out.alloc();
	}

	/** Writes {@code buf} to {@link #to}, to be flushed with the rest. */
	void write(ByteBuf buf) {
		this.out.write(buf, this.out.voidPromise());
		this.wroteSinceFlush = true;
		this.relay.checkWritable(this.to);
	}

	/** The whole frame has been read (and, if passed on, written): act on it. */
	private void frameEnd() {
		this.inPayload = false;
		boolean passed = this.forwarding;
		this.forwarding = false;
		if (this.preview != null) {
			this.preview.frameEnd();
		}
		if (this.messages != null) {
			this.messages.frameEnd();
		}
		if (this.control != null) {
			byte[] payload = this.control;
			this.control = null;
			if (this.header.opcode() == Opcodes.CLOSE) {
				closeFrame(payload, passed);
			}
			else if (this.heldPong) {
				this.heldPong = false;
				pong(payload);
			}
		}
		if (pushWaiting()) {
			writeWaitingPushes();
		}
		if (this.pendingPing) {
			this.pendingPing = false;
			if (this.pendingCloseReason == null) {
				writePing(this.pendingPingPayload);
			}
		}
		if (this.pendingCloseReason != null) {
			String reason = this.pendingCloseReason;
			this.pendingCloseReason = null;
			this.relay.writeClose(this.to, this.pendingCloseCode, reason);
		}
	}

	/**
	 * A pong was held back: if it answers the gateway's ping it ends here, otherwise it goes
	 * on as it came (header and payload, still masked if it was).
	 */
	private void pong(byte[] payload) {
		byte[] key = this.header.maskKey();
		long value = 0;
		for (int i = 0; i < payload.length; i++) {
			value = (value << 8) | ((payload[i] ^ (this.expectMasked ? key[i & 3] : 0)) & 0xFF);
		}
		if (this.relay.ownPong(this.from, value) || this.relay.mustDiscard(this.from)) {
			return; // the gateway's own, or a close went out to the other side while it was held
		}
		write(this.header.writeTo(this.out.alloc().buffer(this.header.size() + payload.length)).writeBytes(payload));
		if ((this.activityOpcodes & Opcodes.bit(Opcodes.PONG)) != 0) {
			this.relay.activity();
		}
	}

	private void closeFrame(byte[] payload, boolean passed) {
		this.header.unmask(payload, payload.length);
		int code = CloseCodes.NO_STATUS;
		String reason = "";
		if (payload.length >= 2) {
			code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
			reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
		}
		this.relay.closeReceived(this.from, code, reason, passed);
	}

	/** Decides what happens to the frame whose header is complete. */
	private Verdict admitFrame() {
		Verdict verdict = this.header.decode(this.rsv1Allowed);
		if (verdict != Verdict.PASS) {
			return verdict;
		}
		int opcode = this.header.opcode();
		long length = this.header.payloadLength();
		this.control = (opcode == Opcodes.CLOSE) ? new byte[(int) length] : null;
		this.controlLength = 0;
		if (this.relay.mustDiscard(this.from)) {
			return Verdict.DISCARD;
		}
		if (this.watchPongs && opcode == Opcodes.PONG && length == ControlFrames.PING_PAYLOAD_BYTES) {
			this.control = new byte[ControlFrames.PING_PAYLOAD_BYTES];
			this.heldPong = true;
			return Verdict.HOLD;
		}
		if (Opcodes.isControl(opcode)) {
			return Verdict.PASS;
		}
		if (!this.header.fitsMessage(maxMessageSize())) {
			this.control = null;
			return Verdict.TOO_BIG;
		}
		if (this.messages != null) {
			return this.messages.admit(opcode);
		}
		this.fragmentOpen = !this.header.fin();
		return Verdict.PASS;
	}

	long maxMessageSize() {
		return (this.messages != null) ? this.messages.limit() : this.maxMessageSize;
	}

	/** The route's limit on messages in this direction ({@link MessageLimits#UNLIMITED}: none). */
	long routeLimit() {
		return this.maxMessageSize;
	}

	/** A message of the gateway's own waiting for a message boundary. */
	private record Push(int opcode, byte[] payload, CompletableFuture<Void> sent) {
	}

}
