package io.wsgate.proxy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.MonoSink;

import org.springframework.http.HttpHeaders;

/**
 * The client half of the backend's opening handshake (RFC 6455 section 4.1): sends the
 * upgrade request, checks the 101 (accept key, upgrade, subprotocol among those offered, no
 * extension that was not offered), and reports the result to the waiting sink once.
 */
final class BackendHandshakeHandler extends ChannelInboundHandlerAdapter {

	private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private final BackendTarget target;

	private final DefaultHttpHeaders headers;

	private final List<String> offeredProtocols;

	private final MonoSink<BackendLink> sink;

	private final String key;

	private boolean settled;

	private List<ByteBuf> earlyBytes = new ArrayList<>(2);

	BackendHandshakeHandler(BackendTarget target, DefaultHttpHeaders headers, List<String> offeredProtocols,
			MonoSink<BackendLink> sink) {
		this.target = target;
		this.headers = headers;
		this.offeredProtocols = offeredProtocols;
		this.sink = sink;
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		this.key = Base64.getEncoder().encodeToString(nonce);
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		DefaultHttpHeaders requestHeaders = this.headers;
		requestHeaders.set("Sec-WebSocket-Key", this.key);
		requestHeaders.set("Sec-WebSocket-Version", "13");
		if (!this.offeredProtocols.isEmpty()) {
			requestHeaders.set("Sec-WebSocket-Protocol", String.join(", ", this.offeredProtocols));
		}
		ctx.writeAndFlush(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, this.target.pathAndQuery(),
				Unpooled.EMPTY_BUFFER, requestHeaders, EmptyHttpHeaders.INSTANCE));
		ctx.fireChannelActive();
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		if (!this.settled && msg instanceof FullHttpResponse response) {
			try {
				answered(ctx, response);
			}
			finally {
				response.release();
			}
		}
		else if (this.settled && msg instanceof ByteBuf bytes && this.earlyBytes != null) {
			this.earlyBytes.add(bytes); // sent right after the 101, before the client's handshake is done
		}
		else {
			ReferenceCountUtil.release(msg);
		}
	}

	private void answered(ChannelHandlerContext ctx, FullHttpResponse response) {
		this.settled = true;
		int status = response.status().code();
		if (status != 101) {
			HttpHeaders headers = new HttpHeaders();
			for (var entry : response.headers()) {
				headers.add(entry.getKey(), entry.getValue());
			}
			this.sink.error(BackendHandshakeException.refused(status, headers, ByteBufUtil.getBytes(response.content())));
			ctx.close();
			return;
		}
		String problem = problemWith(response);
		if (problem != null) {
			this.sink.error(BackendHandshakeException.unreachable("invalid handshake answer from backend: " + problem));
			ctx.close();
			return;
		}
		// hold further bytes until the client's handshake is through; the relay then reads on
		ctx.channel().config().setAutoRead(false);
		String protocol = response.headers().get("Sec-WebSocket-Protocol");
		this.sink.success(new BackendLink(ctx.channel(), this, (protocol != null) ? protocol.trim() : null,
				HandshakeHeaders.toClient(response.headers()), response.headers().get(PerMessageDeflate.HEADER)));
	}

	private @Nullable String problemWith(FullHttpResponse response) {
		io.netty.handler.codec.http.HttpHeaders answer = response.headers();
		if (!"websocket".equalsIgnoreCase(trimmed(answer.get("Upgrade")))) {
			return "Upgrade is not websocket";
		}
		if (!HandshakeHeaders.hasToken(answer.getAll("Connection"), "upgrade")) {
			return "Connection does not contain Upgrade";
		}
		if (!expectedAccept().equals(trimmed(answer.get("Sec-WebSocket-Accept")))) {
			return "wrong Sec-WebSocket-Accept";
		}
		String protocol = trimmed(answer.get("Sec-WebSocket-Protocol"));
		if (protocol != null && !this.offeredProtocols.contains(protocol)) {
			return "subprotocol '" + protocol + "' was not offered";
		}
		String extensions = answer.get(PerMessageDeflate.HEADER);
		if (extensions != null) {
			if (!this.headers.contains(PerMessageDeflate.HEADER)) {
				return "extension negotiated that was not offered";
			}
			return PerMessageDeflate.problemWithAnswer(extensions);
		}
		return null;
	}

	private String expectedAccept() {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1")
				.digest((this.key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required by the Java platform", ex);
		}
	}

	private static @Nullable String trimmed(@Nullable String value) {
		return (value != null) ? value.trim() : null;
	}

	/** The connect or handshake time ran out before an answer. */
	void timedOut(ChannelHandlerContext ctx) {
		if (!this.settled) {
			this.settled = true;
			this.sink.error(BackendHandshakeException.timeout("backend did not answer the handshake in time"));
			ctx.close();
		}
	}

	/** The connection could not be made; called by the connector before this handler was active. */
	void failed(Throwable cause) {
		if (!this.settled) {
			this.settled = true;
			this.sink.error(BackendConnector.describe(cause));
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		if (!this.settled) {
			this.settled = true;
			this.sink.error(BackendHandshakeException.unreachable("backend closed the connection during the handshake"));
		}
		ctx.fireChannelInactive();
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		if (!this.settled) {
			this.settled = true;
			this.sink.error(BackendConnector.describe(cause));
		}
		ctx.close();
	}

	List<ByteBuf> takeEarlyBytes() {
		List<ByteBuf> bytes = this.earlyBytes;
		this.earlyBytes = null;
		return bytes;
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		if (this.earlyBytes != null) {
			this.earlyBytes.forEach(ReferenceCountUtil::safeRelease);
			this.earlyBytes = null;
		}
	}

}
