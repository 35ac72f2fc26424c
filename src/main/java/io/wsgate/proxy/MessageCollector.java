package io.wsgate.proxy;

import java.util.Arrays;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import io.netty.buffer.ByteBuf;
import org.jspecify.annotations.Nullable;

import io.wsgate.proxy.FrameHeader.Verdict;

/**
 * Message mode of one direction of a relayed connection: the data frames of each message are
 * joined (unmasked) into one whole message instead of being relayed as bytes, inflated if they
 * came compressed, shown to the route's {@link MessageInspector} if there is one, and written
 * on as one frame (compressed if the other side negotiated permessage-deflate). A decision that
 * comes later stops reading from {@link #from} until it is there; what was read meanwhile waits,
 * in order. The bytes held count against the gateway-wide budget of {@link MessageBuffering}.
 *
 * <p>The {@link FrameForwarder} of the direction feeds it frame by frame; runs on the
 * connection's event loop only.
 */
final class MessageCollector {

	/** The smallest buffer a message being joined grows to (unless its frames declare less). */
	private static final int MIN_MESSAGE_BUFFER = 1024;

	private static final byte[] EMPTY = new byte[0];

	private final Relay relay;

	/** Where whole messages are written, and read on from after a decision. */
	private final FrameForwarder forwarder;

	private final Side from;

	/** Messages go on to a backend: masked. */
	private final boolean toBackend;

	/** The frame being read, for its opcode, FIN and RSV1 bits, declared message size and mask key. */
	private final FrameHeader header;

	/** The route's limit on messages in this direction ({@link MessageLimits#UNLIMITED}: none). */
	private final long maxMessageSize;

	/** The budget, cap and deadline of messages held whole. */
	private final MessageBuffering buffering;

	/** Whole messages go to it before they are passed on; null: none (they are joined to be (de)compressed). */
	private @Nullable MessageInspector inspector;

	/** The other side negotiated permessage-deflate: messages to it go compressed. */
	private boolean deflate;

	/** {@link #from} keeps its compression context across messages: this connection's own inflater. */
	private @Nullable Inflater contextInflater;

	/** The message being collected came compressed (RSV1 on its first frame). */
	private boolean messageCompressed;

	/** The current frame is a data frame collected, not forwarded. */
	private boolean collecting;

	/** The opcode of the message being collected (text or binary), -1 between messages. */
	private int messageOpcode = -1;

	/** The message being collected, unmasked; grown as its bytes arrive, never from a declared length. */
	private byte @Nullable [] message;

	/** Bytes of {@link MessageBuffering#budget()} this direction holds: the message collected, inflated or awaited. */
	private long reserved;

	private final LongPredicate reserver = this::reserve;

	/** When the message being collected began (its first frame's header was read). */
	private long messageStartedAt;

	/** Checks that the message being collected completes within the message timeout; null when not armed. */
	private @Nullable ScheduledFuture<?> messageTimer;

	private int messageLength;

	/** Payload bytes of the current frame collected so far (the mask key's position). */
	private int frameOffset;

	/** A message waits for an asynchronous decision; what was read meanwhile waits here. */
	private boolean awaiting;

	private @Nullable WebSocketMessage awaited;

	private @Nullable ByteBuf pendingInput;

	private boolean released;

	MessageCollector(Relay relay, FrameForwarder forwarder, Side from, FrameHeader header, long maxMessageSize,
			MessageBuffering buffering) {
		this.relay = relay;
		this.forwarder = forwarder;
		this.from = from;
		this.toBackend = (from == Side.CLIENT);
		this.header = header;
		this.maxMessageSize = maxMessageSize;
		this.buffering = buffering;
	}

	/** Whole messages go to {@code inspector} before they are passed on. */
	void inspectWith(MessageInspector inspector) {
		this.inspector = inspector;
	}

	/** permessage-deflate as negotiated: from {@link #from} ({@code inflate}) and to the other side ({@code deflate}). */
	void compression(Relay.Deflate inflate, boolean deflate) {
		this.deflate = deflate;
		if (inflate == Relay.Deflate.CONTEXT_TAKEOVER) {
			this.contextInflater = new Inflater(true);
		}
	}

	/** Whether the current frame is collected (not passed on as bytes). */
	boolean collecting() {
		return this.collecting;
	}

	/** Whether a message waits for an inspection decision. */
	boolean awaiting() {
		return this.awaiting;
	}

	/** Bytes read while a decision is awaited: they wait, in order, for it. */
	void hold(ByteBuf in) {
		ByteBuf pending = this.pendingInput;
		this.pendingInput = (pending == null) ? in
				: in.alloc().compositeBuffer(Integer.MAX_VALUE).addComponents(true, pending, in);
	}

	/** The collected frame has been read: if it ends its message, the message is complete. */
	void frameEnd() {
		if (this.collecting) {
			this.collecting = false;
			this.frameOffset = 0;
			if (this.header.fin()) {
				messageComplete();
			}
		}
	}

	/** A frame broke a rule: the message under way, if any, ends here. */
	void abandon() {
		if (this.messageOpcode >= 0) {
			dropMessage();
		}
	}

	/** The connection is over: whatever waits is let go, and late decisions are ignored. */
	void release() {
		this.released = true;
		this.message = null;
		this.awaited = null;
		releaseReservation();
		if (this.messageTimer != null) {
			this.messageTimer.cancel(false);
			this.messageTimer = null;
		}
		if (this.contextInflater != null) {
			this.contextInflater.end();
			this.contextInflater = null;
		}
		if (this.pendingInput != null) {
			this.pendingInput.release();
			this.pendingInput = null;
		}
	}

	/** A data frame within the limit: it is collected if it fits the message under way. */
	Verdict admit(int opcode) {
		if (opcode == Opcodes.CONTINUATION && this.messageOpcode < 0) {
			return Verdict.STRAY_CONTINUATION;
		}
		if (opcode != Opcodes.CONTINUATION && this.messageOpcode >= 0) {
			return Verdict.UNFINISHED_MESSAGE;
		}
		return Verdict.INSPECT;
	}

	/**
	 * Buffered messages are held whole: bounded by the route's limit, and by
	 * {@code wsgate.websocket.max-buffered-message} however large (or unlimited) that is.
	 */
	long limit() {
		long cap = this.buffering.maxMessage();
		return (this.maxMessageSize >= 0) ? Math.min(this.maxMessageSize, cap) : cap;
	}

	/**
	 * A data frame of a message to be joined begins. Nothing is allocated for it yet: the
	 * buffer grows as its bytes arrive (a frame header alone costs nothing but its parse).
	 */
	void startFrame() {
		if (this.header.opcode() != Opcodes.CONTINUATION) {
			this.messageOpcode = this.header.opcode();
			this.messageCompressed = this.header.compressed();
			this.messageLength = 0;
			this.message = null;
			this.messageStartedAt = System.nanoTime();
			if (this.messageTimer == null) {
				this.messageTimer = schedule(this.buffering.timeout().toNanos());
			}
		}
		this.collecting = true;
		this.frameOffset = 0;
	}

	private ScheduledFuture<?> schedule(long nanos) {
		return this.relay.eventLoop().schedule(this::checkMessageTime, nanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * The message timer: a message still being collected after the message timeout ends the
	 * connection (1008); one collected since is given its own time. Armed by the first message
	 * that starts while it is not, so at most once per timeout however many messages pass.
	 */
	private void checkMessageTime() {
		this.messageTimer = null;
		if (this.released || this.messageOpcode < 0 || this.relay.closing()) {
			return;
		}
		long left = this.messageStartedAt + this.buffering.timeout().toNanos() - System.nanoTime();
		if (left > 0) {
			this.messageTimer = schedule(left);
			return;
		}
		dropMessage();
		this.relay.violation(this.from, Violation.timedOut());
	}

	/** Takes {@code bytes} from the gateway-wide budget for this direction's message, if they fit. */
	private boolean reserve(long bytes) {
		if (!this.buffering.budget().tryReserve(bytes)) {
			return false;
		}
		this.reserved += bytes;
		return true;
	}

	/** Keeps only {@code bytes} of what this direction reserved (what it still holds). */
	private void holdOnly(long bytes) {
		if (this.reserved > bytes) {
			this.buffering.budget().release(this.reserved - bytes);
			this.reserved = bytes;
		}
	}

	private void releaseReservation() {
		holdOnly(0);
	}

	/** Forgets the message being collected; the rest of its current frame is skipped. */
	private void dropMessage() {
		this.collecting = false;
		this.message = null;
		this.messageLength = 0;
		this.messageOpcode = -1;
		this.frameOffset = 0;
		releaseReservation();
	}

	/**
	 * Copies payload bytes [index, index + n) of {@code in} into the message, unmasked. The
	 * buffer grows from the bytes that arrived (at least doubling, never past what the
	 * message's frames declared, which the limit bounds), each growth reserved from the budget
	 * first: over it, the message is dropped and its sender gets 1013.
	 */
	void collect(ByteBuf in, int index, int n) {
		byte[] target = this.message;
		int needed = this.messageLength + n;
		int capacity = (target != null) ? target.length : 0;
		if (needed > capacity) {
			int grown = (int) Math.min(Math.max(Math.max(needed, capacity * 2L), MIN_MESSAGE_BUFFER),
					Math.max(needed, this.header.messageSize()));
			if (!reserve(grown - capacity)) {
				dropMessage();
				this.relay.violation(this.from, Violation.overBudget());
				return;
			}
			target = (target != null) ? Arrays.copyOf(target, grown) : new byte[grown];
			this.message = target;
		}
		in.getBytes(index, target, this.messageLength, n);
		this.header.unmask(target, this.messageLength, n, this.frameOffset);
		this.frameOffset += n;
		this.messageLength += n;
	}

	/** The message's last frame has been collected: it is inflated, inspected and passed on, or waits for its decision. */
	private void messageComplete() {
		WebSocketMessage.Type type = (this.messageOpcode == Opcodes.TEXT) ? WebSocketMessage.Type.TEXT
				: WebSocketMessage.Type.BINARY;
		byte[] payload = (this.message != null) ? this.message : EMPTY;
		int length = this.messageLength;
		this.message = null;
		this.messageLength = 0;
		this.messageOpcode = -1;
		if (this.messageCompressed) {
			try {
				payload = (this.contextInflater != null)
						? PerMessageDeflate.inflate(this.contextInflater, payload, length, limit(),
								this.reserver)
						: PerMessageDeflate.inflate(payload, length, limit(), this.reserver);
				length = payload.length;
				holdOnly(length); // the compressed bytes are let go: the inflated message is what is held
			}
			catch (PerMessageDeflate.TooBigException ex) {
				releaseReservation();
				this.relay.violation(this.from, Violation.tooBig(limit()));
				return;
			}
			catch (PerMessageDeflate.OverBudgetException ex) {
				releaseReservation();
				this.relay.violation(this.from, Violation.overBudget());
				return;
			}
			catch (DataFormatException ex) {
				releaseReservation();
				this.relay.violation(this.from, new Violation(CloseCodes.INVALID_PAYLOAD, "invalid compressed data", "protocol-error"));
				return;
			}
		}
		WebSocketMessage whole = new WebSocketMessage(type, payload, length);
		if (this.inspector == null) {
			send(whole);
			releaseReservation();
			return;
		}
		MessageDecision decision;
		try {
			decision = this.inspector.inspect(this.from, whole);
		}
		catch (RuntimeException ex) {
			Relay.log.warn("message inspection failed on a message from the {}", this.from.label(), ex);
			decision = MessageDecision.close(CloseCodes.INTERNAL_ERROR, "message inspection failed");
		}
		if (decision == null) {
			decision = MessageDecision.close(CloseCodes.INTERNAL_ERROR, "message inspection failed");
		}
		CompletionStage<MessageDecision> later = decision.stage();
		if (later == null) {
			apply(decision, whole);
			return;
		}
		this.awaiting = true;
		this.awaited = whole;
		this.relay.pauseReading(this.from);
		later.whenComplete((result, failure) -> this.relay.eventLoop().execute(() -> decided(result, failure)));
	}

	/** Keeps bytes [index, end) of {@code in} until the awaited decision; returns the bytes consumed up to. */
	int waitFrom(ByteBuf in, int index, int end) {
		if (index < end) {
			this.pendingInput = in.retainedSlice(index, end - index);
		}
		return index;
	}

	private void decided(@Nullable MessageDecision result, @Nullable Throwable failure) {
		if (this.released || !this.awaiting) {
			return;
		}
		MessageDecision decision = result;
		if (decision == null || decision.stage() != null) {
			Relay.log.warn("message inspection failed on a message from the {}: {}", this.from.label(),
					(failure != null) ? failure.toString() : "no decision");
			decision = MessageDecision.close(CloseCodes.INTERNAL_ERROR, "message inspection failed");
		}
		WebSocketMessage whole = this.awaited;
		this.awaiting = false;
		this.awaited = null;
		apply(decision, whole);
		ByteBuf pending = this.pendingInput;
		this.pendingInput = null;
		if (pending != null) {
			this.forwarder.read(pending);
		}
		this.forwarder.flushIfWritten();
		if (!this.awaiting) {
			this.relay.resumeReading(this.from);
		}
	}

	/** Carries out the decision on {@code whole}, which is then no longer held. */
	private void apply(MessageDecision decision, WebSocketMessage whole) {
		switch (decision.kind()) {
			case PASS -> send(whole);
			case REPLACE -> send(decision.replacement());
			case CLOSE -> this.relay.closeByGateway("policy", decision.code(), decision.reason(), decision.code(),
					decision.reason());
			default -> {
				// DROP: nothing goes on
			}
		}
		releaseReservation();
	}

	/** Writes {@code message} on as one frame, masked toward a backend. */
	private void send(WebSocketMessage message) {
		if (this.relay.mustDiscard(this.from)) {
			return; // a close went out to the other side meanwhile
		}
		if (this.deflate) {
			byte[] compressed = PerMessageDeflate.deflate(message.array(), message.length());
			this.forwarder.write(DataFrames.encode(this.forwarder.alloc(), FrameHeader.RSV1 | message.type().opcode,
					compressed, compressed.length, this.toBackend));
			return;
		}
		this.forwarder.write(DataFrames.encode(this.forwarder.alloc(), message.type().opcode, message.array(),
				message.length(), this.toBackend));
	}

}
