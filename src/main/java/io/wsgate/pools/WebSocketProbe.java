package io.wsgate.pools;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * One WebSocket upgrade, for a health probe: the opening handshake (RFC 6455 §4.1) over a
 * fresh TCP (or TLS) connection, then a close frame with 1000 at once, then the connection is
 * closed as soon as the server answers the close (or the caller's timeout cancels).
 *
 * <p>Written on Reactor Netty's TCP client rather than its WebSocket client, which logs every
 * refused upgrade at WARN with a stack trace: a server that refuses its probes would fill the
 * log at each interval. Here a refusal is just an answer.
 */
final class WebSocketProbe {

	private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private static final String CODEC = "wsgate.probe.http";

	private static final String AGGREGATOR = "wsgate.probe.aggregator";

	/** The server's answer to the upgrade request. */
	record Answer(int status, HttpHeaders headers, boolean acceptValid) {
	}

	private final TcpClient client = TcpClient.newConnection();

	/**
	 * Upgrades, hands the answer to {@code onAnswer} as soon as it arrives, closes with 1000
	 * (after a 101) and completes when the server has answered the close or ended the connection.
	 */
	Mono<Void> upgrade(String host, int port, boolean secure, String uri, Map<String, String> headers,
			Duration timeout, String closeReason, Consumer<Answer> onAnswer) {
		TcpClient tcp = this.client.host(host)
			.port(port)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
		if (secure) {
			tcp = tcp.secure();
		}
		String key = Base64.getEncoder().encodeToString(randomBytes(16));
		return tcp.connect().flatMap(connection -> {
			FullHttpRequest request = request(host, port, secure, uri, key, headers);
			connection.addHandlerLast(CODEC, new HttpClientCodec()).addHandlerLast(AGGREGATOR, new HttpObjectAggregator(8192));
			Flux<String> answered = connection.inbound()
				.receiveObject()
				.<Object>map(message -> (message instanceof HttpResponse response) ? answer(response, key) : "bytes")
				.index()
				.concatMap(indexed -> {
					if (indexed.getT1() == 0 && indexed.getT2() instanceof Answer answer) {
						onAnswer.accept(answer);
						return (answer.status() == 101) ? close(connection, closeReason).thenReturn("closing")
								: Mono.just("done");
					}
					return Mono.just("done"); // the server's close frame (or anything after the close)
				})
				.takeUntil("done"::equals);
			return connection.outbound()
				.sendObject(request)
				.then()
				.thenMany(answered)
				.then()
				.doFinally(signal -> connection.dispose());
		});
	}

	private static FullHttpRequest request(String host, int port, boolean secure, String uri, String key,
			Map<String, String> extra) {
		FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri,
				Unpooled.EMPTY_BUFFER);
		String hostName = host.contains(":") ? "[" + host + "]" : host;
		boolean defaultPort = port == (secure ? 443 : 80);
		request.headers()
			.set(HttpHeaderNames.HOST, defaultPort ? hostName : hostName + ":" + port)
			.set(HttpHeaderNames.UPGRADE, "websocket")
			.set(HttpHeaderNames.CONNECTION, "Upgrade")
			.set(HttpHeaderNames.SEC_WEBSOCKET_KEY, key)
			.set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
		extra.forEach(request.headers()::set);
		return request;
	}

	/** Read at once: the response is released when this returns. */
	private static Answer answer(HttpResponse response, String key) {
		int status = response.status().code();
		HttpHeaders headers = response.headers().copy();
		boolean acceptValid = status != 101 || accept(key).equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT));
		return new Answer(status, headers, acceptValid);
	}

	/** Drops the HTTP codec (the connection now speaks WebSocket) and sends a masked close frame. */
	private static Mono<Void> close(Connection connection, String reason) {
		connection.removeHandler(AGGREGATOR).removeHandler(CODEC);
		return connection.outbound().sendObject(closeFrame(1000, reason)).then();
	}

	static ByteBuf closeFrame(int code, String reason) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		byte[] payload = new byte[2 + text.length];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, text.length);
		byte[] mask = randomBytes(4);
		ByteBuf frame = Unpooled.buffer(6 + payload.length);
		frame.writeByte(0x88); // FIN, close
		frame.writeByte(0x80 | payload.length); // masked; a close payload is at most 125 bytes
		frame.writeBytes(mask);
		for (int i = 0; i < payload.length; i++) {
			frame.writeByte(payload[i] ^ mask[i & 3]);
		}
		return frame;
	}

	static String accept(String key) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
			return Base64.getEncoder().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] randomBytes(int count) {
		byte[] bytes = new byte[count];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

}
