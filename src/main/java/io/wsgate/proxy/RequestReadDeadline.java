package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.NettyPipeline;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;

/**
 * {@code wsgate.server.request-read-timeout} on an HTTP/1.1 listener: a client must have sent
 * a request's line and headers within the deadline, counted from the moment its connection
 * opened (a TLS handshake included) and, on a kept-alive connection, from the first byte of
 * each later request. A client that trickles its headers a byte at a time (slowloris) is
 * answered 408 and disconnected; one that sends nothing is disconnected. Reactor Netty's own
 * timeouts do not cover this: {@code idleTimeout} restarts with every byte, and
 * {@code readTimeout}/{@code requestTimeout} start once the headers are in.
 *
 * <p>Two handlers share the connection's state: one before the HTTP codec sees bytes arrive,
 * one after it sees whole request heads arrive and responses leave. Both leave the pipeline
 * when the connection switches to WebSocket (the relay's own timers take over).
 */
final class RequestReadDeadline {

	private static final Logger log = LoggerFactory.getLogger(RequestReadDeadline.class);

	private static final RateLimitedLog warnings = new RateLimitedLog(Duration.ofSeconds(10));

	static final String BYTES = "wsgate.requestDeadline.bytes";

	static final String HEADS = "wsgate.requestDeadline.heads";

	private enum State {

		/** Waiting for a request head, the deadline running. */
		AWAITING_HEAD,

		/** A request is being answered: no deadline (its own timeouts bound it). */
		IN_REQUEST,

		/** Between requests of a kept-alive connection: the next byte starts the deadline. */
		IDLE

	}

	private final long timeoutNanos;

	private State state = State.AWAITING_HEAD;

	/** Requests received and not yet answered in full (more than one when the client pipelines). */
	private int unanswered;

	private boolean bytesSeen;

	private @Nullable ScheduledFuture<?> timer;

	/** Cut off: what the codec still makes of the partial head is dropped, not logged as a bad request. */
	private boolean expired;

	private RequestReadDeadline(Duration timeout) {
		this.timeoutNanos = timeout.toNanos();
	}

	/**
	 * The customizer that puts the deadline on a server's connections: a bean, so Spring Boot
	 * applies it to the main server, and the plain listener applies the main server's
	 * customizers too.
	 */
	static NettyServerCustomizer customizer(Duration timeout) {
		return server -> server
			.doOnChannelInit((observer, channel, remoteAddress) -> install(channel, timeout));
	}

	/** On a new connection whose pipeline has the HTTP/1.1 codec (HTTP/2 over TLS has its own). */
	static void install(Channel channel, Duration timeout) {
		ChannelPipeline pipeline = channel.pipeline();
		if (pipeline.get(NettyPipeline.HttpCodec) == null || pipeline.get(BYTES) != null) {
			return;
		}
		RequestReadDeadline deadline = new RequestReadDeadline(timeout);
		pipeline.addBefore(NettyPipeline.HttpCodec, BYTES, deadline.new Bytes());
		pipeline.addAfter(NettyPipeline.HttpCodec, HEADS, deadline.new Heads());
	}

	private void arm(ChannelHandlerContext ctx) {
		this.state = State.AWAITING_HEAD;
		if (this.timer == null) {
			this.timer = ctx.executor().schedule(() -> expired(ctx), this.timeoutNanos, TimeUnit.NANOSECONDS);
		}
	}

	private void disarm() {
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
	}

	private void expired(ChannelHandlerContext ctx) {
		this.timer = null;
		if (this.state != State.AWAITING_HEAD || !ctx.channel().isActive()) {
			return;
		}
		this.expired = true;
		long leftOut = warnings.admit();
		if (leftOut >= 0) {
			log.warn("closed a connection: client={} sent no complete request head to {} within {} ms "
					+ "(wsgate.server.request-read-timeout); {} more since the last such line",
					address(ctx.channel().remoteAddress()), address(ctx.channel().localAddress()),
					TimeUnit.NANOSECONDS.toMillis(this.timeoutNanos), leftOut);
		}
		if (this.bytesSeen) {
			FullHttpResponse timeout = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
					HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.EMPTY_BUFFER);
			timeout.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
			timeout.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
			// from behind the codec, which encodes it; nothing else is in flight
			ChannelHandlerContext heads = ctx.pipeline().context(HEADS);
			if (heads != null) {
				heads.writeAndFlush(timeout).addListener(ChannelFutureListener.CLOSE);
				return;
			}
			timeout.release();
		}
		ctx.channel().close();
	}

	private static String address(@Nullable SocketAddress address) {
		return (address instanceof InetSocketAddress socket)
				? socket.getAddress().getHostAddress() + ":" + socket.getPort() : String.valueOf(address);
	}

	private void remove(ChannelPipeline pipeline) {
		disarm();
		if (pipeline.get(BYTES) != null) {
			pipeline.remove(BYTES);
		}
		if (pipeline.get(HEADS) != null) {
			pipeline.remove(HEADS);
		}
	}

	/** Before the codec: bytes arriving; the first after a response starts the next deadline. */
	private final class Bytes extends ChannelInboundHandlerAdapter {

		@Override
		public void handlerAdded(ChannelHandlerContext ctx) {
			arm(ctx); // the connection is being set up: its first request head is due
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
				RequestReadDeadline.this.bytesSeen = true;
				if (RequestReadDeadline.this.state == State.IDLE) {
					arm(ctx);
				}
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			disarm();
			ctx.fireChannelInactive();
		}

	}

	/** After the codec: a whole request head stops the deadline; a response's end makes the connection idle. */
	private final class Heads extends ChannelDuplexHandler {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			if (RequestReadDeadline.this.expired) {
				ReferenceCountUtil.release(msg);
				return;
			}
			if (msg instanceof HttpRequest) {
				RequestReadDeadline.this.unanswered++;
				RequestReadDeadline.this.state = State.IN_REQUEST;
				RequestReadDeadline.this.bytesSeen = false;
				disarm();
			}
			ctx.fireChannelRead(msg);
		}

		@Override
		public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
			int status = (msg instanceof HttpResponse response) ? response.status().code() : 0;
			boolean upgrade = status == HttpResponseStatus.SWITCHING_PROTOCOLS.code();
			boolean interim = status >= 100 && status < 200; // 100 Continue: the exchange goes on
			boolean ended = msg instanceof LastHttpContent && !interim;
			ChannelPipeline pipeline = ctx.pipeline();
			ctx.write(msg, promise);
			if (upgrade) {
				remove(pipeline);
			}
			else if (ended && RequestReadDeadline.this.unanswered > 0
					&& --RequestReadDeadline.this.unanswered == 0) {
				RequestReadDeadline.this.state = State.IDLE;
			}
		}

	}

}
