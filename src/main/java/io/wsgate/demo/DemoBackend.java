package io.wsgate.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Function;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * A small WebSocket backend on loopback, so that a fresh gateway has something to proxy:
 * {@code /echo} echoes every message (the text {@code close:<code>:<reason>} makes it close
 * with that code and reason), {@code /updates} receives what {@code GET /api?id=&value=}
 * publishes, as JSON; {@code /chat/*} is the chat's HTTP service ({@link ChatService}, behind the
 * gateway's {@code WebSocketBridge} route {@code /chat/ws}); {@code /} is the demo page and
 * {@code /health} answers {@code ok}.
 */
public final class DemoBackend implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(DemoBackend.class);

	private static final int MAX_MESSAGE = 64 * 1024 * 1024;

	private final Sinks.Many<String> updates = Sinks.many().multicast().directBestEffort();

	private final DisposableServer server;

	public DemoBackend(int port) {
		this("127.0.0.1", port);
	}

	/** Listens on {@code host} ({@code 0.0.0.0} in the container's backend-only profile). */
	public DemoBackend(String host, int port) {
		this(host, port, null);
	}

	/**
	 * With {@code broadcast}, the chat service tells every chat connection what one says
	 * (through the gateway's connections API); without, it answers only the sender.
	 */
	DemoBackend(String host, int port, @Nullable Function<String, Mono<Void>> broadcast) {
		ChatService chat = new ChatService(broadcast);
		WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(MAX_MESSAGE).build();
		this.server = HttpServer.create()
			.host(host)
			.port(port)
			.route(routes -> chat.routes(routes).ws("/echo", this::echo, spec)
				.ws("/updates", this::updates, spec)
				.get("/api", this::publish)
				.get("/health", (request, response) -> response.sendString(Mono.just("ok")))
				.get("/", DemoBackend::page))
			.bindNow(Duration.ofSeconds(10));
		log.info("demo backend listening on {}:{}", host, this.server.port());
	}

	public int port() {
		return this.server.port();
	}

	private Mono<Void> echo(WebsocketInbound in, WebsocketOutbound out) {
		Flux<WebSocketFrame> replies = in.aggregateFrames(MAX_MESSAGE)
			.receiveFrames()
			.concatMap(frame -> {
				if (frame instanceof TextWebSocketFrame text) {
					String message = text.text();
					if (message.startsWith("close:")) {
						return closeAsAsked(out, message).then(Mono.empty());
					}
					return Mono.just(new TextWebSocketFrame(message));
				}
				if (frame instanceof BinaryWebSocketFrame binary) {
					return Mono.just(new BinaryWebSocketFrame(binary.content().retain()));
				}
				return Mono.empty();
			});
		return out.sendObject(replies).then();
	}

	private static Mono<Void> closeAsAsked(WebsocketOutbound out, String command) {
		String[] parts = command.split(":", 3);
		try {
			int code = Integer.parseInt(parts[1]);
			return out.sendClose(code, (parts.length > 2) ? parts[2] : "");
		}
		catch (RuntimeException ex) {
			return out.sendClose(1003, "expected close:<code>:<reason>");
		}
	}

	private Mono<Void> updates(WebsocketInbound in, WebsocketOutbound out) {
		Mono<Void> inboundDone = in.receive().then();
		return out.sendString(this.updates.asFlux().takeUntilOther(inboundDone)).then();
	}

	private Mono<Void> publish(HttpServerRequest request, HttpServerResponse response) {
		QueryStringDecoder query = new QueryStringDecoder(request.uri());
		Long id = number(query, "id");
		Long value = number(query, "value");
		response.header("Content-Type", "application/json");
		if (id == null || value == null) {
			return response.status(HttpResponseStatus.BAD_REQUEST)
				.sendString(Mono.just("{\"error\":\"id and value must be integers\"}"))
				.then();
		}
		String message = "{\"id\":" + id + ",\"value\":" + value + "}";
		int subscribers = this.updates.currentSubscriberCount();
		this.updates.tryEmitNext(message);
		return response.sendString(Mono.just("{\"sent\":" + subscribers + ",\"message\":" + message + "}"),
				StandardCharsets.UTF_8).then();
	}

	/** The demo page, also from the backend itself, so that a gateway can route {@code /} to a pool of them. */
	private static Mono<Void> page(HttpServerRequest request, HttpServerResponse response) {
		try (var in = DemoBackend.class.getResourceAsStream("/demo/index.html")) {
			byte[] page = in.readAllBytes();
			return response.header("Content-Type", "text/html; charset=utf-8")
				.sendByteArray(Mono.just(page))
				.then();
		}
		catch (IOException | NullPointerException ex) {
			return response.status(HttpResponseStatus.INTERNAL_SERVER_ERROR).send();
		}
	}

	private static Long number(QueryStringDecoder query, String name) {
		var values = query.parameters().get(name);
		if (values == null || values.size() != 1) {
			return null;
		}
		try {
			return Long.parseLong(values.get(0));
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
