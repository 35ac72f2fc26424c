package io.wsgate.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

import static org.awaitility.Awaitility.await;

/**
 * A Reactor Netty WebSocket backend that echoes every frame as it came (fragments stay
 * fragments), closes with {@code close:<code>:<reason>}, answers pings itself, and records per
 * {@code ?id=}: the request URI and headers, the close status it received and the pings it saw.
 * Paths: {@code /echo}, {@code /chat} (selects subprotocol {@code chat}), {@code /any-protocol}
 * (selects the first subprotocol offered, whatever it is), {@code /cookie} (adds Set-Cookie to
 * its 101).
 */
public final class EchoBackend implements AutoCloseable {

	private final DisposableServer server;

	private final Map<String, Record> records = new ConcurrentHashMap<>();

	public EchoBackend() {
		WebsocketServerSpec plain = WebsocketServerSpec.builder().handlePing(true).maxFramePayloadLength(128 << 20).build();
		WebsocketServerSpec chat = WebsocketServerSpec.builder()
			.handlePing(true)
			.protocols("chat")
			.maxFramePayloadLength(128 << 20)
			.build();
		WebsocketServerSpec any = WebsocketServerSpec.builder()
			.handlePing(true)
			.protocols("*")
			.maxFramePayloadLength(128 << 20)
			.build();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> {
				String path = new QueryStringDecoder(request.uri()).path();
				if (path.endsWith("/cookie")) {
					response.header("Set-Cookie", "session=abc; Path=/");
					response.header("X-Backend", "echo");
				}
				return upgrade(request, response,
						path.endsWith("/chat") ? chat : path.endsWith("/any-protocol") ? any : plain);
			})
			.bindNow(Duration.ofSeconds(10));
	}

	public int port() {
		return this.server.port();
	}

	/** The record of the connection with {@code ?id=}, waiting briefly for it to appear. */
	public Record record(String id) {
		return await("echo backend saw a connection with id " + id).atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> this.records.get(id), Objects::nonNull);
	}

	private Mono<Void> upgrade(HttpServerRequest request, HttpServerResponse response, WebsocketServerSpec spec) {
		List<String> ids = new QueryStringDecoder(request.uri()).parameters().get("id");
		Record record = new Record(request.uri(), request.requestHeaders());
		if (ids != null) {
			this.records.put(ids.get(0), record);
		}
		return response.sendWebsocket((in, out) -> {
			in.receiveCloseStatus().subscribe(record::closed);
			// retained at once: Reactor Netty releases a received frame when onNext returns
			return out.sendObject(in.receiveFrames().map(WebSocketFrame::retain).concatMap(frame -> {
				if (frame instanceof PingWebSocketFrame ping) {
					record.pings.add(new String(io.netty.buffer.ByteBufUtil.getBytes(ping.content())));
					return Mono.just(new PongWebSocketFrame(ping.content()));
				}
				if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment()) {
					record.texts.add(text.text());
				}
				if (frame instanceof TextWebSocketFrame text && frame.isFinalFragment()
						&& text.text().startsWith("close:")) {
					String[] parts = text.text().split(":", 3);
					frame.release();
					return out.sendClose(Integer.parseInt(parts[1]), parts[2]).then(Mono.<WebSocketFrame>empty());
				}
				return Mono.just(frame);
			}).doOnDiscard(WebSocketFrame.class, WebSocketFrame::release)).then();
		}, spec);
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	/** What one connection of this backend saw. */
	public static final class Record {

		private final String uri;

		private final io.netty.handler.codec.http.HttpHeaders headers;

		private final List<String> pings = new CopyOnWriteArrayList<>();

		private final List<String> texts = new CopyOnWriteArrayList<>();

		private final java.util.concurrent.CompletableFuture<WebSocketCloseStatus> close = new java.util.concurrent.CompletableFuture<>();

		Record(String uri, io.netty.handler.codec.http.HttpHeaders headers) {
			this.uri = uri;
			this.headers = headers.copy();
		}

		/** The request URI of the upgrade, as the backend got it (path and query). */
		public String uri() {
			return this.uri;
		}

		void closed(WebSocketCloseStatus status) {
			this.close.complete(status);
		}

		public io.netty.handler.codec.http.HttpHeaders headers() {
			return this.headers;
		}

		public List<String> pings() {
			return this.pings;
		}

		/** The text messages (whole, unfragmented ones) this connection received. */
		public List<String> texts() {
			return this.texts;
		}

		/** The close status this backend received (code -1 for an empty close frame). */
		public WebSocketCloseStatus closeStatus(Duration within) throws Exception {
			return this.close.get(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
		}

	}

}
