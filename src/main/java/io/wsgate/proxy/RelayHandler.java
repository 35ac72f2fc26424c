package io.wsgate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Feeds one channel's events to its {@link Relay}; nothing passes further down the pipeline. */
final class RelayHandler extends ChannelInboundHandlerAdapter {

	static final String NAME = "wsgate.relay";

	private final Relay relay;

	private final Side side;

	RelayHandler(Relay relay, Side side) {
		this.relay = relay;
		this.side = side;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (msg instanceof ByteBuf buf) {
			this.relay.read(this.side, buf);
		}
		else {
			ReferenceCountUtil.release(msg);
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) {
		this.relay.readComplete(this.side);
	}

	@Override
	public void channelWritabilityChanged(ChannelHandlerContext ctx) {
		this.relay.writabilityChanged(this.side);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		this.relay.inactive(this.side);
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		Relay.log.debug("{} connection error: {}", this.side.label(), cause.toString());
		ctx.close();
	}

}
