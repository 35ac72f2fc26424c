package io.wsgate.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.observation.ObservationRegistry;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.util.context.Context;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.observation.ObservedRequestHttpHeadersFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.RouteMetadataUtils;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.proxy.HandshakeHeaders.HandshakeProblem;

/**
 * Routes WebSocket upgrades: for a route whose URI is {@code ws://} or {@code wss://} (or
 * {@code http(s)://} when the request is an upgrade), the backend is connected first and the
 * client is answered only then, with the backend's status when it refused, or with a 101
 * carrying the backend's subprotocol. The connection is then handed to a {@link Relay}.
 *
 * <p>Replaces Spring Cloud Gateway's {@code WebsocketRoutingFilter} for these routes by
 * running just before it.
 */
public class WebSocketProxyFilter implements GlobalFilter, Ordered {

	/** Just before Spring Cloud Gateway's WebsocketRoutingFilter (lowest precedence - 1). */
	public static final int ORDER = Ordered.LOWEST_PRECEDENCE - 2;

	private static final Logger log = LoggerFactory.getLogger(WebSocketProxyFilter.class);

	/** Seconds a client over its per-client bound is asked to wait: its own connections are long-lived. */
	private static final String CLIENT_RETRY_AFTER = "10";

	/** The largest message a {@link MessageEndpoint} is handed or may send, whatever the route's limit. */
	static final long MAX_ENDPOINT_MESSAGE = 64L * 1024 * 1024;

	private final WebSocketProperties properties;

	private final ConnectionRegistry registry;

	private final BackendConnector connector;

	private final MessageBuffering buffering;

	private final ClientAddresses clientAddresses;

	private final ObjectProvider<HttpHeadersFilter> headersFilterBeans;

	private final ObservationRegistry observations;

	/** Spring Cloud Gateway's request header filters, in their order; found on the first upgrade. */
	private volatile @Nullable List<HttpHeadersFilter> headersFilters;

	private final RateLimitedLog refusals = new RateLimitedLog(Duration.ofSeconds(10));

	WebSocketProxyFilter(WebSocketProperties properties, ConnectionRegistry registry, BackendConnector connector,
			MessageBuffering buffering, ClientAddresses clientAddresses,
			ObjectProvider<HttpHeadersFilter> headersFilters, ObservationRegistry observations) {
		this.properties = properties;
		this.registry = registry;
		this.connector = connector;
		this.buffering = buffering;
		this.clientAddresses = clientAddresses;
		this.headersFilterBeans = headersFilters;
		this.observations = observations;
	}

	/**
	 * The headers the backend's handshake starts from: the request's (after route filters),
	 * through Spring Cloud Gateway's {@link HttpHeadersFilter} beans as its HTTP routes use them
	 * ({@code X-Forwarded-*} and {@code Forwarded} by {@code trusted-proxies}, hop-by-hop
	 * removal, the application's own filters).
	 */
	private HttpHeaders filteredRequestHeaders(ServerWebExchange exchange) {
		List<HttpHeadersFilter> filters = this.headersFilters;
		if (filters == null) {
			// Spring Cloud Gateway's observation of its HTTP client (http.client.requests) would be
			// started here and stopped by a response filter that a WebSocket route never runs:
			// wsgate.backend.handshake (UpgradeObservation) takes its place
			filters = this.headersFilterBeans.orderedStream()
				.filter(filter -> !(filter instanceof ObservedRequestHttpHeadersFilter))
				.toList();
			this.headersFilters = filters;
		}
		return HttpHeadersFilter.filterRequest(filters, exchange);
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		if (url == null || url.getScheme() == null || ServerWebExchangeUtils.isAlreadyRouted(exchange)) {
			return chain.filter(exchange);
		}
		boolean webSocketScheme = BackendTarget.isWebSocketScheme(url.getScheme());
		if (!webSocketScheme && !BackendTarget.isHttpScheme(url.getScheme())) {
			return chain.filter(exchange);
		}
		ServerHttpRequest request = exchange.getRequest();
		if (!isWebSocketUpgrade(request.getHeaders())) {
			if (!webSocketScheme) {
				return chain.filter(exchange); // plain HTTP on an HTTP route
			}
			ServerWebExchangeUtils.setAlreadyRouted(exchange);
			exchange.getResponse().getHeaders().set(HttpHeaders.UPGRADE, "websocket");
			exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "Upgrade");
			return answer(exchange, 426, "this route serves WebSocket connections only");
		}
		ServerWebExchangeUtils.setAlreadyRouted(exchange);
		Handshake handshake = new Handshake(exchange);
		return proxy(exchange, url, handshake).doFinally(signal -> handshake.answered());
	}

	private Mono<Void> proxy(ServerWebExchange exchange, URI url, Handshake handshake) {
		ServerHttpRequest request = exchange.getRequest();
		HandshakeProblem problem = HandshakeHeaders.checkClientRequest(request.getMethod().name(), request.getHeaders());
		if (problem != null) {
			if (problem.status() == 426) {
				exchange.getResponse().getHeaders().set("Sec-WebSocket-Version", "13");
			}
			return answer(exchange, problem.status(), problem.message());
		}
		HttpServerRequest nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		if (!(nativeRequest instanceof Connection connection)
				|| nativeRequest.version() != HttpVersion.HTTP_1_1) {
			return answer(exchange, 400, "WebSocket upgrades need HTTP/1.1");
		}
		Channel clientChannel = connection.channel();
		BackendTarget target;
		try {
			target = BackendTarget.of(url);
		}
		catch (IllegalArgumentException ex) {
			return answer(exchange, 502, "route has no usable backend URI");
		}
		InetAddress client = this.clientAddresses.resolve(exchange);
		ConnectionRegistry.Slot slot = this.registry.tryReserve(client);
		if (slot.refusal() != null) {
			return refuse(exchange, handshake.routeId, client, slot.refusal());
		}
		InetSocketAddress clientAddress = request.getRemoteAddress();
		boolean preserveHost = Boolean.TRUE
			.equals(exchange.getAttribute(ServerWebExchangeUtils.PRESERVE_HOST_HEADER_ATTRIBUTE));
		String originalHost = request.getHeaders().getFirst(HttpHeaders.HOST);
		String hostHeader = (preserveHost && originalHost != null) ? originalHost : target.authority();
		DefaultHttpHeaders backendHeaders = HandshakeHeaders.toBackend(filteredRequestHeaders(exchange), hostHeader);
		List<String> protocols = HandshakeHeaders.offeredProtocols(request.getHeaders());
		boolean compression = compression(exchange);
		if (compression) {
			backendHeaders.set(PerMessageDeflate.HEADER, PerMessageDeflate.OFFER);
		}
		List<String> clientOffer = compression
				? PerMessageDeflate.acceptedClientOffer(request.getHeaders().get(PerMessageDeflate.HEADER)) : null;
		boolean clientDeflate = clientOffer != null;
		// a client that did not offer client_no_context_takeover keeps its context across messages
		boolean clientContextTakeover = clientDeflate && !clientOffer.contains("client_no_context_takeover");
		AtomicBoolean started = new AtomicBoolean();
		ConnectionHook hook = ConnectionHook.take(exchange);
		String id = this.registry.nextId();
		ConnectionPolicy policy = ConnectionPolicy.find(exchange);
		MessageEndpoint endpoint = (policy != null) ? policy.endpoint() : null;
		handshake.observation.backendStarting(backendHeaders);
		Mono<BackendLink> backend = (endpoint != null)
				? openEndpoint(endpoint, id, handshake.routeId, url, backendHeaders, protocols, clientAddress,
						clientChannel, policy)
				: this.connector.connect(target, backendHeaders, protocols, clientChannel, connectTimeout(exchange),
						(int) this.properties.getMaxRejectionBody().toBytes());
		return backend.flatMap(link -> {
			handshake.observation.backendDone(101, "upgraded", null);
			return upgradeClient(exchange, link, id, target, clientAddress, slot, started, hook, handshake, clientDeflate,
					clientContextTakeover);
		}).onErrorResume(BackendHandshakeException.class, failure -> {
			handshake.backendFailed(failure);
			return backendFailed(exchange, handshake.routeId, target, failure);
		}).doFinally(signal -> {
			if (!started.get()) {
				slot.release();
				if (hook != null) {
					hook.ended();
				}
			}
		});
	}

	/**
	 * Opens the route's {@link MessageEndpoint} in the place of a backend: it gets the headers a
	 * backend would (less the WebSocket handshake's own), and its refusal answers the client.
	 */
	private Mono<BackendLink> openEndpoint(MessageEndpoint endpoint, String id, String routeId, URI url,
			DefaultHttpHeaders backendHeaders, List<String> protocols, @Nullable InetSocketAddress clientAddress,
			Channel clientChannel, ConnectionPolicy policy) {
		HttpHeaders headers = new HttpHeaders();
		for (var header : backendHeaders) {
			String lower = header.getKey().toLowerCase(Locale.ROOT);
			if (!lower.startsWith("sec-websocket-") && !lower.equals("upgrade") && !lower.equals("connection")
					&& !lower.equals("host")) {
				headers.add(header.getKey(), header.getValue());
			}
		}
		MessageLimits limits = (policy.messageLimits() != null) ? policy.messageLimits()
				: MessageLimits.both(this.properties.getMaxMessageSize());
		MessageEndpoint.Request request = new MessageEndpoint.Request(id, routeId, url, headers, policy.identity(),
				protocols, clientAddress, policy.principal(), endpointLimit(limits.inbound()),
				endpointLimit(limits.outbound()));
		long maxInbound = request.maxInbound();
		return Mono.defer(() -> endpoint.open(request))
			.publishOn(Schedulers.fromExecutor(clientChannel.eventLoop()))
			.map(session -> {
				String chosen = session.subprotocol();
				if (chosen != null && !protocols.contains(chosen)) {
					session.ended(new CloseStatus(CloseCodes.ABNORMAL, "no upgrade",
							CloseStatus.Initiator.GATEWAY));
					throw BackendHandshakeException.unreachable("endpoint chose a subprotocol the client did not offer");
				}
				EndpointHandler handler = new EndpointHandler(clientChannel.eventLoop(), session, maxInbound);
				return BackendLink.endpoint(handler, chosen);
			})
			.onErrorMap(MessageEndpoint.Refusal.class, MessageEndpoint.Refusal::toHandshakeFailure)
			.onErrorMap(failure -> !(failure instanceof BackendHandshakeException), failure -> {
				log.warn("message endpoint failed to open route={}: {}", routeId, failure.toString());
				return BackendHandshakeException.unreachable("endpoint failed");
			});
	}

	/** An endpoint holds each message whole: "unlimited" is {@link #MAX_ENDPOINT_MESSAGE} for it. */
	private static long endpointLimit(long limit) {
		return (limit == MessageLimits.UNLIMITED) ? MAX_ENDPOINT_MESSAGE : Math.min(limit, MAX_ENDPOINT_MESSAGE);
	}

	private Mono<Void> upgradeClient(ServerWebExchange exchange, BackendLink link, String id, BackendTarget target,
			InetSocketAddress clientAddress, ConnectionRegistry.Slot slot, AtomicBoolean started,
			@Nullable ConnectionHook hook, Handshake handshake, boolean clientDeflate, boolean clientContextTakeover) {
		ServerHttpResponse response = exchange.getResponse();
		response.getHeaders().addAll(link.responseHeaders());
		if (clientDeflate) {
			response.getHeaders().set(PerMessageDeflate.HEADER, PerMessageDeflate.response(!clientContextTakeover));
		}
		HttpServerResponse nativeResponse = ServerHttpResponseDecorator.getNativeResponse(response);
		Relay relay = new Relay(id, handshake.routeId, clientAddress, target.withoutQuery(),
				link.subprotocol(), settings(exchange, Relay.Deflate.of(clientDeflate, clientContextTakeover),
						Relay.Deflate.of(link.deflate(), link.deflateContextTakeover())), this.registry);
		WebsocketServerSpec.Builder spec = WebsocketServerSpec.builder().handlePing(true);
		if (link.subprotocol() != null) {
			spec.protocols(link.subprotocol()); // the client gets exactly the backend's choice
		}
		// Reactor Netty keeps the subscriber context of the upgrade for the connection's whole
		// life; the relay needs none of it, and it would pin the exchange and its observation
		Mono<Void> upgrade = Mono.defer(() -> nativeResponse.sendWebsocket((in, out) -> {
			this.registry.assign(id, slot); // from now on the relay's end frees the slot
			started.set(true);
			in.withConnection(clientConnection -> {
				relay.start(clientConnection.channel(), link);
				handshake.upgraded();
				if (hook != null) {
					hook.opened(relay);
				}
			});
			Mono<Void> done = link.isEndpoint()
					? relay.whenDone().doFinally(signal -> link.ended(relay.closeStatus())) : relay.whenDone();
			return (hook != null) ? done.doFinally(signal -> hook.ended()) : done;
		}, spec.build())).contextWrite(context -> Context.empty());
		return response.setComplete()
			.then(upgrade)
			.doFinally(signal -> {
				if (!started.get()) {
					link.abandon();
				}
			});
	}

	/**
	 * Answers an upgrade the registry has no slot for: 503 while shutting down or when the
	 * gateway is full, 429 when this client holds its share. Refusals under attack come by the
	 * thousand, so their warnings are rate-limited.
	 */
	private Mono<Void> refuse(ServerWebExchange exchange, String routeId, @Nullable InetAddress client,
			ConnectionRegistry.Refusal refusal) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		switch (refusal) {
			case DRAINING -> {
				// shutting down: the client should reconnect, and land on another replica
				headers.set(HttpHeaders.CONNECTION, "close");
				return answer(exchange, 503, ConnectionRegistry.SHUTDOWN_REASON);
			}
			case CLIENT_FULL -> {
				long leftOut = this.refusals.admit();
				if (leftOut >= 0) {
					LogLine.of(log.atWarn(), "refused upgrade")
						.with("route", routeId)
						.with("client", address(client))
						.field("status", 429)
						.field("cause", "client-limit")
						.text(": it holds " + this.registry.maxConnectionsPerClient() + " connections "
								+ "(wsgate.server.max-connections-per-client); " + leftOut
								+ " more refusals since the last such line")
						.log();
				}
				headers.set(HttpHeaders.RETRY_AFTER, CLIENT_RETRY_AFTER);
				return answer(exchange, 429, "too many connections from this client");
			}
			default -> {
				long leftOut = this.refusals.admit();
				if (leftOut >= 0) {
					LogLine.of(log.atWarn(), "refused upgrade")
						.with("route", routeId)
						.with("client", address(client))
						.field("status", 503)
						.field("cause", "connection-limit")
						.text(": " + this.registry.maxConnections() + " connections open "
								+ "(wsgate.websocket.max-connections); " + leftOut
								+ " more refusals since the last such line")
						.log();
				}
				headers.set(HttpHeaders.RETRY_AFTER, "1");
				return answer(exchange, 503, "connection limit reached");
			}
		}
	}

	private static String address(@Nullable InetAddress client) {
		return (client != null) ? client.getHostAddress() : "-";
	}

	/**
	 * The route's {@code connect-timeout} metadata (milliseconds, as Spring Cloud Gateway reads
	 * it for HTTP routes, or a duration such as {@code 2s}), else the global setting.
	 */
	private Duration connectTimeout(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Object value = (route != null) ? route.getMetadata().get(RouteMetadataUtils.CONNECT_TIMEOUT_ATTR) : null;
		if (value == null) {
			return this.properties.getConnectTimeout();
		}
		try {
			Duration timeout = (value instanceof Number number) ? Duration.ofMillis(number.longValue())
					: DurationStyle.detectAndParse(value.toString().trim(), ChronoUnit.MILLIS);
			if (!timeout.isNegative() && !timeout.isZero()) {
				return timeout;
			}
		}
		catch (IllegalArgumentException ex) {
			// reported below
		}
		log.warn("route {} has an invalid connect-timeout '{}'; using {}", route.getId(), value,
				this.properties.getConnectTimeout());
		return this.properties.getConnectTimeout();
	}

	/** The route's policies, else the global settings (lifetime defaults arrive as policies too). */
	/** The route's {@code compression} metadata (true or false), else {@code wsgate.websocket.compression}. */
	private boolean compression(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Object value = (route != null) ? route.getMetadata().get("compression") : null;
		if (value == null) {
			return this.properties.isCompression();
		}
		return (value instanceof Boolean flag) ? flag : Boolean.parseBoolean(value.toString().trim());
	}

	private Relay.Settings settings(ServerWebExchange exchange, Relay.Deflate clientDeflate,
			Relay.Deflate backendDeflate) {
		ConnectionPolicy policy = ConnectionPolicy.find(exchange);
		MessageLimits limits = (policy != null) ? policy.messageLimits() : null;
		if (limits == null) {
			limits = MessageLimits.both(this.properties.getMaxMessageSize());
		}
		if (policy == null) {
			return new Relay.Settings(limits, this.properties.getCloseTimeout(), ConnectionPolicy.Expiry.NONE,
					ConnectionPolicy.IdleTimeout.NONE, ConnectionPolicy.KeepAlive.NONE, null, HttpHeaders.EMPTY,
					exchange.getRequest().getURI(), clientDeflate, backendDeflate, this.buffering);
		}
		return new Relay.Settings(limits, this.properties.getCloseTimeout(),
				orElse(policy.expiry(), ConnectionPolicy.Expiry.NONE),
				orElse(policy.idleTimeout(), ConnectionPolicy.IdleTimeout.NONE),
				orElse(policy.keepAlive(), ConnectionPolicy.KeepAlive.NONE), policy,
				(policy.inspection() != null || policy.tapping() != null)
						? HttpHeaders.readOnlyHttpHeaders(exchange.getRequest().getHeaders()) : HttpHeaders.EMPTY,
				exchange.getRequest().getURI(), clientDeflate, backendDeflate, this.buffering);
	}

	private static <T> T orElse(@Nullable T value, T fallback) {
		return (value != null) ? value : fallback;
	}

	private Mono<Void> backendFailed(ServerWebExchange exchange, String routeId, BackendTarget target,
			BackendHandshakeException failure) {
		if (failure.isBackendAnswer()) {
			LogLine.of(log.atInfo(), "backend refused upgrade")
				.with("route", routeId)
				.with("backend", target.withoutQuery())
				.with("status", failure.status())
				.log();
			ServerHttpResponse response = exchange.getResponse();
			response.setStatusCode(HttpStatusCode.valueOf(failure.status()));
			HttpHeaders headers = response.getHeaders();
			failure.headers().forEach((name, values) -> {
				String lower = name.toLowerCase(Locale.ROOT);
				if (!lower.equals("transfer-encoding") && !lower.equals("connection") && !lower.equals("keep-alive")
						&& !lower.equals("content-length")) {
					headers.addAll(name, values);
				}
			});
			headers.setContentLength(failure.body().length);
			return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(failure.body())));
		}
		LogLine.of(log.atWarn(), "backend handshake failed")
			.with("route", routeId)
			.with("backend", target.withoutQuery())
			.with("status", failure.status())
			.quoted("reason", failure.getMessage())
			.log();
		return answer(exchange, failure.status(), failure.getMessage());
	}

	/** Answers the client before any upgrade: a status and a one-line text. */
	public static Mono<Void> answer(ServerWebExchange exchange, int status, String message) {
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatusCode.valueOf(status));
		response.getHeaders().setContentType(MediaType.TEXT_PLAIN);
		byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
		response.getHeaders().setContentLength(body.length);
		return response.writeWith(Mono.fromSupplier(() -> response.bufferFactory().wrap(body)));
	}

	/**
	 * Times one upgrade request and reports how it was answered to the registry's listeners,
	 * once: when the relay starts (101), else when the exchange ends.
	 */
	private final class Handshake {

		private final ServerWebExchange exchange;

		private final String routeId;

		private final long start = System.nanoTime();

		private @Nullable String backendOutcome;

		private boolean reported;

		/** Its observations (no-ops unless tracing is on). */
		final UpgradeObservation observation;

		Handshake(ServerWebExchange exchange) {
			this.exchange = exchange;
			this.routeId = routeId(exchange);
			this.observation = UpgradeObservation.start(WebSocketProxyFilter.this.observations,
					exchange.getRequest().getHeaders(), this.routeId);
		}

		void backendFailed(BackendHandshakeException failure) {
			this.backendOutcome = failure.isBackendAnswer() ? "refused" : "failed";
			this.observation.backendDone(failure.status(), this.backendOutcome, failure);
		}

		void upgraded() {
			report(101, "upgraded");
		}

		void answered() {
			if (this.reported) {
				return;
			}
			// an exchange that ended with no answer of ours shows the server's default (200)
			HttpStatusCode status = this.exchange.getResponse().getStatusCode();
			int code = (status != null && !status.is2xxSuccessful()) ? status.value() : 0;
			String outcome = (this.backendOutcome != null) ? this.backendOutcome
					: (code == 0) ? "cancelled" : (code == 502 || code == 504) ? "failed" : "rejected";
			report(code, outcome);
		}

		private void report(int status, String outcome) {
			if (!this.reported) {
				this.reported = true;
				WebSocketProxyFilter.this.registry.handshake(this.routeId, status, outcome,
						System.nanoTime() - this.start);
				this.observation.answered(status, outcome);
			}
		}

	}

	/** The id of the exchange's route, or {@code -} before one matched. */
	public static String routeId(ServerWebExchange exchange) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		return (route != null) ? route.getId() : "-";
	}

	/** The subprotocols a request offers, in order (comma separated, maybe over several headers). */
	public static List<String> offeredProtocols(HttpHeaders headers) {
		return HandshakeHeaders.offeredProtocols(headers);
	}

	/** Whether a request asks for a WebSocket upgrade ({@code Upgrade: websocket}, any case). */
	public static boolean isWebSocketUpgrade(HttpHeaders headers) {
		String upgrade = headers.getFirst(HttpHeaders.UPGRADE);
		return upgrade != null && "websocket".equalsIgnoreCase(upgrade.trim());
	}

}
