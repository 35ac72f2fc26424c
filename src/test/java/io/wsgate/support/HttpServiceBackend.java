package io.wsgate.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

/**
 * A stateless HTTP service for {@code WebSocketBridge} routes (Reactor Netty, random port).
 * It records every call (path, headers, body) and answers by path:
 * <ul>
 * <li>{@code /ws/connect}: 200, or the status in the upgrade's {@code X-Test-Refuse} header with
 * body {@code refused by service} and {@code X-Service: refused}; picks the subprotocol in
 * {@code X-Test-Protocol} when there is one;</li>
 * <li>{@code /ws/send}, {@code /ws/default}: the body back, with the request's content type;</li>
 * <li>{@code /ws/silent}: 204; {@code /ws/fail}: 500 with a body; {@code /ws/slow}: 200 after 5 s;</li>
 * <li>{@code /ws/hold}: while {@link #hold()} is in force, answers only once {@link #release()}
 * is called; otherwise at once;</li>
 * <li>{@code /ws/disconnect}: 200.</li>
 * </ul>
 */
public final class HttpServiceBackend implements AutoCloseable {

	private final DisposableServer server;

	private final List<Call> calls = new CopyOnWriteArrayList<>();

	private final Map<String, AtomicInteger> byPath = new ConcurrentHashMap<>();

	private volatile Sinks.Empty<Void> held = released();

	/** One call the service got. */
	public record Call(String path, HttpHeaders headers, byte[] body) {

		public String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

		public String header(String name) {
			return this.headers.get(name);
		}

	}

	public HttpServiceBackend() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> request.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
				.flatMap(body -> {
					String path = new QueryStringDecoder(request.uri()).path();
					this.calls.add(new Call(path, request.requestHeaders().copy(), body));
					this.byPath.computeIfAbsent(path, key -> new AtomicInteger()).incrementAndGet();
					return answer(path, request.requestHeaders(), body, response);
				}))
			.bindNow(Duration.ofSeconds(10));
	}

	private Mono<Void> answer(String path, HttpHeaders headers, byte[] body, HttpServerResponse response) {
		String type = headers.get("Content-Type");
		return switch (path) {
			case "/ws/connect" -> {
				String refuse = headers.get("X-Test-Refuse");
				if (refuse != null) {
					yield response.status(Integer.parseInt(refuse))
						.header("X-Service", "refused")
						.header("Content-Type", "text/plain")
						.sendString(Mono.just("refused by service"))
						.then();
				}
				String protocol = headers.get("X-Test-Protocol");
				if (protocol != null) {
					response.header("Sec-WebSocket-Protocol", protocol);
				}
				yield response.status(200).send().then();
			}
			case "/ws/send", "/ws/default" -> echo(response, type, body);
			case "/ws/silent" -> response.status(204).send().then();
			case "/ws/fail" -> response.status(500).sendString(Mono.just("secret failure details")).then();
			case "/ws/slow" -> Mono.delay(Duration.ofSeconds(5)).then(echo(response, type, body));
			case "/ws/hold" -> this.held.asMono().then(echo(response, type, body));
			default -> response.status(200).send().then();
		};
	}

	private static Mono<Void> echo(HttpServerResponse response, String type, byte[] body) {
		if (type != null) {
			response.header("Content-Type", type);
		}
		return response.status(200).sendByteArray(Mono.just(body)).then();
	}

	public int port() {
		return this.server.port();
	}

	public String uri() {
		return "http://127.0.0.1:" + port();
	}

	/** Every call so far, in the order they came. */
	public List<Call> calls() {
		return List.copyOf(this.calls);
	}

	/** The calls to {@code path} for connection {@code id} ({@code X-WsGate-Connection-Id}). */
	public List<Call> calls(String path, String id) {
		return this.calls.stream()
			.filter(call -> call.path().equals(path) && id.equals(call.header("X-WsGate-Connection-Id")))
			.toList();
	}

	public int count(String path) {
		AtomicInteger count = this.byPath.get(path);
		return (count != null) ? count.get() : 0;
	}

	/** From now on {@code /ws/hold} calls wait for {@link #release()}. */
	public void hold() {
		this.held = Sinks.empty();
	}

	/** Every held {@code /ws/hold} call answers, and so do the next ones, until {@link #hold()}. */
	public void release() {
		this.held.tryEmitEmpty();
	}

	private static Sinks.Empty<Void> released() {
		Sinks.Empty<Void> sink = Sinks.empty();
		sink.tryEmitEmpty();
		return sink;
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
