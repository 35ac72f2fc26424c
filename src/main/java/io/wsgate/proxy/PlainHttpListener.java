package io.wsgate.proxy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.IntSupplier;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;

/**
 * The plain HTTP listener beside an HTTPS main server ({@code wsgate.server.http.port}): the
 * same application, routes and filters, on another port without TLS. Optionally it answers
 * plain HTTP requests with a 308 to HTTPS, and it can refuse WebSocket upgrades (403) so that
 * clients must use {@code wss://}. It is built like the main server: the same Spring Boot
 * {@code server.*} settings and Netty customizers (so the same header size limit, idle timeout
 * and request-read deadline), without TLS. Starts and stops with the main server.
 */
final class PlainHttpListener implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PlainHttpListener.class);

	private final ListenerProperties.Http settings;

	private final HttpHandler handler;

	private final IntSupplier httpsPort;

	private final List<NettyServerCustomizer> customizers;

	private final boolean h2c;

	private final boolean forwarded;

	private volatile @Nullable DisposableServer server;

	/**
	 * @param customizers the main server's, so that Spring Boot's {@code server.*} settings
	 * (header size, idle timeout, ...) and the request-read deadline hold here too
	 * @param h2c {@code server.http2.enabled}: HTTP/2 over cleartext beside HTTP/1.1
	 * @param forwarded {@code server.forward-headers-strategy=native}
	 */
	PlainHttpListener(ListenerProperties.Http settings, HttpHandler handler, IntSupplier httpsPort,
			List<NettyServerCustomizer> customizers, boolean h2c, boolean forwarded) {
		this.settings = settings;
		this.handler = handler;
		this.httpsPort = httpsPort;
		this.customizers = customizers;
		this.h2c = h2c;
		this.forwarded = forwarded;
	}

	@Override
	public void start() {
		ReactorHttpHandlerAdapter adapter = new ReactorHttpHandlerAdapter(this.handler);
		HttpServer http = HttpServer.create().port(this.settings.getPort()).handle((request, response) -> {
			boolean upgrade = "websocket".equalsIgnoreCase(request.requestHeaders().get(HttpHeaderNames.UPGRADE, "").trim());
			if (upgrade && !this.settings.isWebsocket()) {
				return answer(response, HttpResponseStatus.FORBIDDEN,
						"WebSocket connections need wss:// (port " + this.httpsPort.getAsInt() + ")");
			}
			if (!upgrade && this.settings.isRedirectToHttps()) {
				return redirect(request, response);
			}
			return adapter.apply(request, response);
		});
		if (this.settings.getAddress() != null) {
			http = http.host(this.settings.getAddress());
		}
		http = http.protocol(this.h2c ? new HttpProtocol[] { HttpProtocol.HTTP11, HttpProtocol.H2C }
				: new HttpProtocol[] { HttpProtocol.HTTP11 }).forwarded(this.forwarded);
		for (NettyServerCustomizer customizer : this.customizers) {
			http = customizer.apply(http);
		}
		this.server = http.bindNow(Duration.ofSeconds(10));
		log.info("plain HTTP listener on port {}{}{}", this.server.port(),
				this.settings.isRedirectToHttps() ? ", redirecting HTTP requests to HTTPS" : "",
				this.settings.isWebsocket() ? "" : ", WebSocket upgrades refused");
	}

	private Mono<Void> redirect(HttpServerRequest request, HttpServerResponse response) {
		String host = request.requestHeaders().get(HttpHeaderNames.HOST);
		String hostName = (host != null) ? URI.create("http://" + host).getHost() : null;
		if (hostName == null) {
			return answer(response, HttpResponseStatus.BAD_REQUEST, "Host header required");
		}
		int port = this.httpsPort.getAsInt();
		String location = "https://" + hostName + ((port == 443) ? "" : ":" + port) + request.uri();
		return response.status(HttpResponseStatus.PERMANENT_REDIRECT)
			.header(HttpHeaderNames.LOCATION, location)
			.header(HttpHeaderNames.CONTENT_LENGTH, "0")
			.send();
	}

	private static Mono<Void> answer(HttpServerResponse response, HttpResponseStatus status, String message) {
		byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
		return response.status(status)
			.header(HttpHeaderNames.CONTENT_TYPE, "text/plain")
			.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
			.sendByteArray(Mono.just(body))
			.then();
	}

	/** The port it listens on, once started. */
	int port() {
		DisposableServer current = this.server;
		return (current != null) ? current.port() : -1;
	}

	@Override
	public void stop() {
		DisposableServer current = this.server;
		if (current != null) {
			this.server = null;
			current.disposeNow(Duration.ofSeconds(10));
		}
	}

	@Override
	public boolean isRunning() {
		return this.server != null;
	}

	/** With the main server: after the connections were drained, before the context closes. */
	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 1;
	}

}
