package io.wsgate.pools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * A backend server of a test pool, on a random loopback port that it keeps across a
 * {@link #kill()} and {@link #restart()}:
 * <ul>
 * <li>{@code GET /health}: answers {@link #healthStatus}, {@link #healthHeaders} and
 * {@link #healthBody}, or never, while {@link #hangHealth} is set;</li>
 * <li>{@code /probe}: a WebSocket upgrade (refused with {@link #refuseUpgrades} when set) whose
 * close statuses are recorded;</li>
 * <li>any other path: a WebSocket echo whose 101 carries {@code X-Backend: <name>} and
 * {@code X-Seen-Host: <the Host header it got>}.</li>
 * </ul>
 */
final class PoolBackend implements AutoCloseable {

	private final String name;

	private final int port;

	private volatile DisposableServer server;

	private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

	volatile int healthStatus = 200;

	volatile Map<String, String> healthHeaders = Map.of();

	volatile String healthBody = "ok";

	volatile boolean hangHealth;

	/** 0: upgrade {@code /probe}; else refuse it with this status. */
	volatile int refuseUpgrades;

	final AtomicInteger healthRequests = new AtomicInteger();

	final List<WebSocketCloseStatus> probeCloses = new CopyOnWriteArrayList<>();

	final AtomicInteger upgrades = new AtomicInteger();

	PoolBackend(String name) {
		this.name = name;
		this.server = bind(0);
		this.port = this.server.port();
	}

	String name() {
		return this.name;
	}

	int port() {
		return this.port;
	}

	String url() {
		return "ws://127.0.0.1:" + this.port;
	}

	private DisposableServer bind(int port) {
		WebsocketServerSpec spec = WebsocketServerSpec.builder().handlePing(true).build();
		return HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.doOnConnection(connection -> {
				this.connections.add(connection);
				connection.onDispose(() -> this.connections.remove(connection));
			})
			.handle((request, response) -> handle(request, response, spec))
			.bindNow(Duration.ofSeconds(10));
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response, WebsocketServerSpec spec) {
		String path = new QueryStringDecoder(request.uri()).path();
		if (path.equals("/health")) {
			this.healthRequests.incrementAndGet();
			if (this.hangHealth) {
				return Mono.never();
			}
			this.healthHeaders.forEach(response::header);
			return response.status(this.healthStatus).sendString(Mono.just(this.healthBody)).then();
		}
		if (path.equals("/probe")) {
			if (this.refuseUpgrades != 0) {
				return response.status(this.refuseUpgrades).sendString(Mono.just("no upgrades here")).then();
			}
			return response.header("X-Probe", "yes").sendWebsocket((in, out) -> {
				in.receiveCloseStatus().subscribe(this.probeCloses::add);
				return in.receive().then();
			}, spec);
		}
		this.upgrades.incrementAndGet();
		String host = request.requestHeaders().get("Host", "");
		return response.header("X-Backend", this.name).header("X-Seen-Host", host).sendWebsocket(
				(in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain))
					.then()
					.doOnDiscard(WebSocketFrame.class, WebSocketFrame::release),
				spec);
	}

	/** TCP connections open to this backend now. */
	int openConnections() {
		return this.connections.size();
	}

	/** Stops listening and drops every connection, as a crash would. */
	void kill() {
		this.connections.forEach(Connection::dispose);
		this.server.disposeNow(Duration.ofSeconds(5));
		this.connections.forEach(Connection::dispose);
	}

	/** Listens again on the same port. */
	void restart() {
		this.server = bind(this.port);
	}

	@Override
	public void close() {
		kill();
	}

}
