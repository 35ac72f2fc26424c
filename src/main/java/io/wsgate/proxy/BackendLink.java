package io.wsgate.proxy;

import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * A backend connection whose handshake succeeded and that waits, not reading, for the client's
 * handshake. Whatever the backend sent right after its 101 is kept for the relay.
 */
final class BackendLink {

	private final Channel channel;

	/** The handshake handler the relay replaces; null for a {@link MessageEndpoint}'s link. */
	private final @Nullable BackendHandshakeHandler handshake;

	private final @Nullable EndpointHandler endpoint;

	private final @Nullable String subprotocol;

	private final HttpHeaders responseHeaders;

	private final @Nullable String extension;

	BackendLink(Channel channel, BackendHandshakeHandler handshake, @Nullable String subprotocol,
			HttpHeaders responseHeaders, @Nullable String extension) {
		this(channel, handshake, null, subprotocol, responseHeaders, extension);
	}

	private BackendLink(Channel channel, @Nullable BackendHandshakeHandler handshake,
			@Nullable EndpointHandler endpoint, @Nullable String subprotocol, HttpHeaders responseHeaders,
			@Nullable String extension) {
		this.channel = channel;
		this.handshake = handshake;
		this.endpoint = endpoint;
		this.subprotocol = subprotocol;
		this.responseHeaders = responseHeaders;
		this.extension = extension;
	}

	/** The link to a {@link MessageEndpoint} the gateway serves itself: never compressed. */
	static BackendLink endpoint(EndpointHandler endpoint, @Nullable String subprotocol) {
		return new BackendLink(endpoint.channel(), null, endpoint, subprotocol, HttpHeaders.EMPTY, null);
	}

	/** Whether the backend accepted permessage-deflate. */
	boolean deflate() {
		return this.extension != null;
	}

	/** Whether the backend keeps its compression context from one message to the next. */
	boolean deflateContextTakeover() {
		return this.extension != null
				&& !PerMessageDeflate.hasParameter(this.extension, "server_no_context_takeover");
	}

	Channel channel() {
		return this.channel;
	}

	/** The subprotocol the backend chose, which the client gets too; null for none. */
	@Nullable String subprotocol() {
		return this.subprotocol;
	}

	/** The backend's 101 headers that go to the client. */
	HttpHeaders responseHeaders() {
		return this.responseHeaders;
	}

	/**
	 * Replaces the HTTP handlers with {@code relayHandler}: bytes the backend sent after its 101
	 * go to the relay first, in order. Runs on the channel's event loop.
	 */
	ChannelHandlerContext takeOver(RelayHandler relayHandler) {
		ChannelPipeline pipeline = this.channel.pipeline();
		if (this.endpoint != null) {
			pipeline.addLast(RelayHandler.NAME, relayHandler);
			this.endpoint.start();
			return pipeline.context(relayHandler);
		}
		List<ByteBuf> early = this.handshake.takeEarlyBytes();
		pipeline.replace(this.handshake, RelayHandler.NAME, relayHandler);
		ChannelHandlerContext context = pipeline.context(relayHandler);
		if (pipeline.get(HttpObjectAggregator.class) != null) {
			pipeline.remove(HttpObjectAggregator.class);
		}
		for (ByteBuf bytes : early) {
			relayHandler.channelRead(context, bytes);
		}
		if (pipeline.get(HttpClientCodec.class) != null) {
			// anything the codec still holds goes on to the relay handler, after what came before
			pipeline.remove(HttpClientCodec.class);
		}
		return context;
	}

	boolean isEndpoint() {
		return this.endpoint != null;
	}

	/** A {@link MessageEndpoint}'s connection is over: its session hears how it ended. */
	void ended(@Nullable CloseStatus status) {
		if (this.endpoint != null) {
			this.endpoint.ended((status != null) ? status
					: new CloseStatus(CloseCodes.ABNORMAL, "connection lost", CloseStatus.Initiator.CLIENT));
		}
	}

	/** Drops the connection (the client's handshake failed or it went away). */
	void abandon() {
		this.channel.close();
		if (this.endpoint != null) {
			this.endpoint.ended(new CloseStatus(CloseCodes.ABNORMAL, "client left before the upgrade",
					CloseStatus.Initiator.CLIENT));
		}
	}

}
