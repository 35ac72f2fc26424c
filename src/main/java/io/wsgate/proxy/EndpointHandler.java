package io.wsgate.proxy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;

/**
 * The backend side of a connection to a {@link MessageEndpoint}: the relay's "backend channel"
 * is an {@link EmbeddedChannel} whose pipeline is this handler, then the relay's handler. What
 * the relay writes toward the backend (masked client frames, already checked by the relay's
 * framing and size rules, never compressed) is decoded here into whole messages for the
 * endpoint's {@link MessageEndpoint.Session}; what the session sends comes out of this handler
 * as unmasked frames, read by the relay as if a backend had sent them.
 *
 * <p>Pings are answered, and the close handshake is the server's: a close from the relay is
 * answered with the same code and the channel then ends, as a backend ends its TCP connection.
 *
 * <p>The embedded channel has no thread of its own: everything here runs on the real event
 * loop of the client's connection, and what it fires into the relay it fires from tasks of its
 * own on that loop, never from inside a write of the relay's.
 */
final class EndpointHandler extends ChannelDuplexHandler implements MessageEndpoint.Peer {

	/** The user-defined writability bit the endpoint clears to stop the relay reading the client. */
	private static final int READING_BIT = 1;

	private final EventLoop loop;

	private final MessageEndpoint.Session session;

	private final long maxMessageSize;

	private @Nullable ChannelHandlerContext ctx;

	/** Bytes from the relay not yet decoded (at most part of one frame once decoding ran). */
	private @Nullable ByteBuf input;

	/** Frames for the relay, waiting while it reads nothing from this side (its client lags). */
	private final ArrayDeque<ByteBuf> output = new ArrayDeque<>();

	private boolean drainScheduled;

	private boolean started;

	/** The message being joined: its opcode (-1 between messages) and bytes. */
	private int messageOpcode = -1;

	private @Nullable ByteArrayOutputStream message;

	private boolean closeSent;

	private boolean closeReceived;

	private boolean ended;

	private boolean sessionEnded;

	/** Bytes from the relay wait to be decoded: the client is not read meanwhile. */
	private boolean inputHeld;

	/** The session takes more messages (see {@link MessageEndpoint.Peer#reading}). */
	private boolean sessionReading = true;

	/** Output waited for the relay to read again: the session hears when it has all gone. */
	private boolean lagging;

	EndpointHandler(EventLoop loop, MessageEndpoint.Session session, long maxMessageSize) {
		this.loop = loop;
		this.session = session;
		this.maxMessageSize = maxMessageSize;
	}

	/** A new embedded channel carrying this handler, for {@link BackendLink}. */
	EmbeddedChannel channel() {
		// registered with its own loop, which runs everything in the calling thread: this one's
		EmbeddedChannel channel = new EmbeddedChannel(this);
		channel.config().setAutoRead(false); // until the relay takes it over
		return channel;
	}

	@Override
	public void handlerAdded(ChannelHandlerContext ctx) {
		this.ctx = ctx;
	}

	/** The relay runs: the session may send from now on. */
	void start() {
		this.started = true;
		this.session.started(this);
	}

	/** The connection is over: the session hears it once, on the loop. */
	void ended(CloseStatus status) {
		this.loop.execute(() -> {
			if (!this.sessionEnded) {
				this.sessionEnded = true;
				release();
				this.session.ended(status);
			}
		});
	}

	// ---- from the relay ----

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (!(msg instanceof ByteBuf buf)) {
			ReferenceCountUtil.release(msg);
			promise.trySuccess();
			return;
		}
		if (this.ended || this.closeReceived) {
			buf.release();
		}
		else {
			this.input = (this.input == null) ? buf
					: ctx.alloc().compositeBuffer(Integer.MAX_VALUE).addComponents(true, this.input, buf);
			// nothing more is read from the client until this is decoded and the session took it
			this.inputHeld = true;
			updateReading();
		}
		promise.trySuccess();
		scheduleDrain();
	}

	@Override
	public void flush(ChannelHandlerContext ctx) {
		// nothing is buffered toward a socket
	}

	@Override
	public void read(ChannelHandlerContext ctx) {
		// the relay reads from this side again (its client caught up): what waited goes out
		scheduleDrain();
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
		release();
		ctx.close(promise);
	}

	private void scheduleDrain() {
		if (!this.drainScheduled && !this.ended) {
			this.drainScheduled = true;
			this.loop.execute(this::drain);
		}
	}

	private void drain() {
		this.drainScheduled = false;
		if (this.ended || this.ctx == null) {
			return;
		}
		decode();
		if (this.inputHeld && !this.ended) {
			this.inputHeld = false;
			updateReading();
		}
		flushOutput();
	}

	private void decode() {
		ByteBuf in = this.input;
		while (in != null && !this.ended && !this.closeReceived) {
			int start = in.readerIndex();
			if (in.readableBytes() < 2) {
				break;
			}
			int b0 = in.getUnsignedByte(start);
			int b1 = in.getUnsignedByte(start + 1);
			int lengthBits = b1 & 0x7F;
			int headerSize = 2 + ((lengthBits == 126) ? 2 : (lengthBits == 127) ? 8 : 0) + (((b1 & 0x80) != 0) ? 4 : 0);
			if (in.readableBytes() < headerSize) {
				break;
			}
			long length = (lengthBits == 126) ? in.getUnsignedShort(start + 2)
					: (lengthBits == 127) ? in.getLong(start + 2) : lengthBits;
			if (length > this.maxMessageSize || length > Integer.MAX_VALUE - 16) {
				fail(CloseCodes.MESSAGE_TOO_BIG, "message over the size limit");
				return;
			}
			if (in.readableBytes() < headerSize + length) {
				break;
			}
			byte[] mask = new byte[4];
			if ((b1 & 0x80) != 0) {
				in.getBytes(start + headerSize - 4, mask);
			}
			byte[] payload = new byte[(int) length];
			in.getBytes(start + headerSize, payload);
			if ((b1 & 0x80) != 0) {
				for (int i = 0; i < payload.length; i++) {
					payload[i] ^= mask[i & 3];
				}
			}
			in.readerIndex(start + headerSize + (int) length);
			frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
			if (this.input != in) {
				return; // the frame ended the connection, and what was left went with it
			}
		}
		if (in != null && !in.isReadable()) {
			in.release();
			this.input = null;
		}
		else if (in != null && in.readerIndex() > 0) {
			this.input = in.discardReadBytes();
		}
	}

	private void frame(boolean fin, int opcode, byte[] payload) {
		switch (opcode) {
			case Opcodes.PING -> emit(DataFrames.encode(this.ctx.alloc(), Opcodes.PONG, payload, payload.length, false));
			case Opcodes.CLOSE -> closeFrame(payload);
			case Opcodes.TEXT, Opcodes.BINARY, Opcodes.CONTINUATION -> data(fin, opcode, payload);
			default -> {
				// pongs: answers to nothing the endpoint asked
			}
		}
	}

	private void data(boolean fin, int opcode, byte[] payload) {
		if (this.closeSent) {
			return;
		}
		if (opcode != Opcodes.CONTINUATION) {
			this.messageOpcode = opcode;
			this.message = new ByteArrayOutputStream(payload.length);
		}
		else if (this.message == null) {
			return;
		}
		if (this.message.size() + (long) payload.length > this.maxMessageSize) {
			fail(CloseCodes.MESSAGE_TOO_BIG, "message over the size limit");
			return;
		}
		this.message.writeBytes(payload);
		if (!fin) {
			return;
		}
		boolean text = this.messageOpcode == Opcodes.TEXT;
		byte[] content = this.message.toByteArray();
		this.message = null;
		this.messageOpcode = -1;
		if (text && !Utf8.isValid(content)) {
			fail(CloseCodes.INVALID_PAYLOAD, "text message is not valid UTF-8");
			return;
		}
		this.session.message(text, content);
	}

	private void closeFrame(byte[] payload) {
		this.closeReceived = true;
		int code = (payload.length >= 2) ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : CloseCodes.NO_STATUS;
		releaseMessage();
		if (!this.closeSent) {
			this.closeSent = true;
			emit((code == CloseCodes.NO_STATUS || !CloseCodes.isSendable(code))
					? DataFrames.encode(this.ctx.alloc(), Opcodes.CLOSE, new byte[0], 0, false)
					: ControlFrames.close(this.ctx.alloc(), code, "", false));
		}
		flushOutput();
		if (this.output.isEmpty()) {
			this.ctx.channel().close(); // the server ends the connection once the handshake is done
		}
	}

	/** The client broke a rule the relay does not check for an endpoint: it gets {@code code}. */
	private void fail(int code, String reason) {
		releaseMessage();
		if (this.input != null) {
			this.input.release();
			this.input = null;
		}
		close(code, reason);
		this.closeReceived = true; // nothing more from the client is read
	}

	// ---- the session's side (MessageEndpoint.Peer) ----

	@Override
	public void send(boolean text, byte[] payload) {
		if (this.ended || this.closeSent || !this.started) {
			return;
		}
		emit(DataFrames.encode(this.ctx.alloc(), text ? Opcodes.TEXT : Opcodes.BINARY, payload, payload.length, false));
		scheduleDrain();
	}

	@Override
	public void close(int code, String reason) {
		if (this.ended || this.closeSent) {
			return;
		}
		ConnectionPolicy.checkClose("endpoint close", code, reason);
		this.closeSent = true;
		emit(ControlFrames.close(this.ctx.alloc(), code, reason, false));
		scheduleDrain();
	}

	@Override
	public void reading(boolean on) {
		this.sessionReading = on;
		updateReading();
	}

	/**
	 * The relay reads the client while this channel is writable: only when nothing read waits
	 * to be decoded here and the session wants more.
	 */
	private void updateReading() {
		if (this.ended) {
			return;
		}
		boolean on = this.sessionReading && !this.inputHeld;
		EmbeddedChannel channel = (EmbeddedChannel) this.ctx.channel();
		ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
		if (buffer != null && buffer.getUserDefinedWritability(READING_BIT) != on) {
			buffer.setUserDefinedWritability(READING_BIT, on);
			channel.runPendingTasks(); // the writability event, queued on the embedded loop, reaches the relay
		}
	}

	@Override
	public boolean keepsUp() {
		return this.output.isEmpty() || (!this.lagging && this.ctx.channel().config().isAutoRead());
	}

	@Override
	public Executor executor() {
		return this.loop;
	}

	private void emit(ByteBuf frame) {
		this.output.add(frame);
	}

	/** Passes what waits to the relay, unless the relay reads nothing from this side now. */
	private void flushOutput() {
		if (this.output.isEmpty() || this.ended) {
			return;
		}
		boolean wrote = false;
		boolean lagged = false;
		while (!this.output.isEmpty() && !this.ended) {
			if (!this.ctx.channel().config().isAutoRead()) {
				lagged = true;
				break;
			}
			this.ctx.fireChannelRead(this.output.poll());
			wrote = true;
		}
		if (wrote && !this.ended) {
			this.ctx.fireChannelReadComplete();
		}
		if (this.ended) {
			return;
		}
		if (this.output.isEmpty() && this.closeSent && this.closeReceived) {
			this.ctx.channel().close();
		}
		else if (this.output.isEmpty() && this.lagging) {
			this.lagging = false;
			this.session.caughtUp();
		}
		if (lagged) {
			this.lagging = true;
		}
	}

	/** The channel is closing: whatever waits is let go. */
	private void release() {
		if (this.ended) {
			return;
		}
		this.ended = true;
		releaseMessage();
		if (this.input != null) {
			this.input.release();
			this.input = null;
		}
		ByteBuf frame;
		while ((frame = this.output.poll()) != null) {
			frame.release();
		}
	}

	private void releaseMessage() {
		this.message = null;
		this.messageOpcode = -1;
	}


}
