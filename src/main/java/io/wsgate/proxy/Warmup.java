package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionLocator;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.env.Environment;

/**
 * The start-up warm-up. A freshly started JVM runs the upgrade path interpreted, and its JIT
 * compilers then take most of both cores of a small machine to compile it: the first ten
 * thousand or so upgrades cost several times what later ones do, just when a restarted
 * replica takes the reconnect storm of every client it held. So before the gateway reports
 * itself ready it upgrades connections to itself, for {@code wsgate.warmup.duration} or
 * {@code wsgate.warmup.upgrades} (whichever comes first), each through the whole path a
 * client's takes (listener, route lookup, route filters, backend handshake, relay of a message
 * each way, close), to an echo backend of its own. Client and backend are on loopback, on one
 * event-loop thread of their own, and the route exists only for the warm-up, on a random path.
 *
 * <p>It runs as an {@link ApplicationRunner}: Spring Boot reports the application ready (and
 * {@code /actuator/health/readiness} UP) only once every runner has returned, so a replica
 * takes no traffic from a load balancer that asks readiness before it is warm. Its connections
 * are counted under route {@value #ROUTE_ID} and are not in the connection log. If the route
 * answers anything but upgrades (a default filter refusing it, say), the warm-up stops at once
 * and says why; a failed warm-up never keeps the gateway from becoming ready.
 */
final class Warmup implements ApplicationRunner, RouteDefinitionLocator {

	private static final Logger log = LoggerFactory.getLogger(Warmup.class);

	/** The warm-up route's id (its connections are counted under it). */
	static final String ROUTE_ID = "wsgate-warmup";

	/** A warm-up that fails this many upgrades in a row gives up. */
	private static final int MAX_FAILURES_IN_A_ROW = 20;

	private static final String MESSAGE = "wsgate warm-up";

	private final WarmupProperties properties;

	private final int concurrency;

	private final Environment environment;

	private final ApplicationEventPublisher events;

	/** The routes served (lazily: they include this bean's). */
	private final ObjectProvider<RouteLocator> routes;

	private volatile RouteDefinition route;

	Warmup(WarmupProperties properties, int maxConnectionsPerClient, Environment environment,
			ApplicationEventPublisher events, ObjectProvider<RouteLocator> routes) {
		this.properties = properties;
		this.concurrency = (maxConnectionsPerClient > 0)
				? Math.max(1, Math.min(properties.getConcurrency(), maxConnectionsPerClient / 2))
				: properties.getConcurrency();
		this.environment = environment;
		this.events = events;
		this.routes = routes;
	}

	@Override
	public Flux<RouteDefinition> getRouteDefinitions() {
		RouteDefinition current = this.route;
		return (current != null) ? Flux.just(current) : Flux.empty();
	}

	@Override
	public void run(ApplicationArguments args) {
		if (!this.properties.isEnabled()) {
			return;
		}
		Integer port = this.environment.getProperty("local.server.port", Integer.class);
		if (port == null || port <= 0) {
			log.warn("warm-up skipped: the server's port is not known");
			return;
		}
		long start = System.nanoTime();
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
		try {
			Channel backend = echoBackend(group);
			String path = "/.wsgate-warmup-" + UUID.randomUUID();
			install(path, ((InetSocketAddress) backend.localAddress()).getPort());
			Result result = upgrades(group, gatewayUri(port, path), start);
			uninstall();
			backend.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			if (result.failure() != null) {
				log.warn("warm-up stopped after {} ms: {} upgrades, {} failed; last failure: {}", millis,
						result.upgraded(), result.failed(), result.failure());
			}
			else {
				log.info("warm-up: {} upgrades ({} failed) in {} ms, {} at a time (wsgate.warmup.*)", result.upgraded(),
						result.failed(), millis, this.concurrency);
			}
		}
		catch (RuntimeException ex) {
			uninstall();
			log.warn("warm-up failed: {}", ex.toString());
		}
		catch (InterruptedException ex) {
			uninstall();
			Thread.currentThread().interrupt();
		}
		finally {
			group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
		}
	}

	private URI gatewayUri(int port, String path) {
		boolean tls = this.environment.getProperty("server.ssl.enabled", Boolean.class, false)
				|| this.environment.getProperty("server.ssl.bundle") != null;
		String address = this.environment.getProperty("server.address", "127.0.0.1");
		if (address.equals("0.0.0.0") || address.equals("::") || address.isBlank()) {
			address = "127.0.0.1";
		}
		String host = address.contains(":") ? "[" + address + "]" : address;
		return URI.create((tls ? "wss://" : "ws://") + host + ":" + port + path);
	}

	/** The warm-up route, first of all routes, served until {@link #uninstall}. */
	private void install(String path, int backendPort) throws InterruptedException {
		RouteDefinition definition = new RouteDefinition();
		definition.setId(ROUTE_ID);
		definition.setUri(URI.create("ws://127.0.0.1:" + backendPort));
		definition.setOrder(Integer.MIN_VALUE);
		definition.setPredicates(List.of(new PredicateDefinition("Path=" + path)));
		this.route = definition;
		this.events.publishEvent(new RefreshRoutesEvent(this));
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (!served()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the warm-up route was not served within 10 s");
			}
			Thread.sleep(20);
		}
	}

	private boolean served() {
		List<Route> current = this.routes.getObject().getRoutes().collectList().block(Duration.ofSeconds(5));
		return current != null && current.stream().anyMatch(r -> ROUTE_ID.equals(r.getId()));
	}

	private void uninstall() {
		if (this.route != null) {
			this.route = null;
			this.events.publishEvent(new RefreshRoutesEvent(this));
		}
	}

	private Result upgrades(EventLoopGroup group, URI uri, long start) throws InterruptedException {
		long deadline = start + this.properties.getDuration().toNanos();
		SslContext tls = null;
		if ("wss".equals(uri.getScheme())) {
			try {
				// our own listener over loopback: its certificate is for the clients' names, not ours
				tls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
			}
			catch (javax.net.ssl.SSLException ex) {
				throw new IllegalStateException("no TLS client for the warm-up: " + ex.getMessage(), ex);
			}
		}
		Run run = new Run(group, uri, tls, deadline, this.properties.getUpgrades());
		// every step of the run on the group's one thread
		group.next().execute(() -> {
			for (int i = 0; i < this.concurrency; i++) {
				run.next();
			}
		});
		try {
			return run.done.get(this.properties.getDuration().toMillis() + 30_000, TimeUnit.MILLISECONDS);
		}
		catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
			return new Result(run.upgraded.get(), run.failed.get(), "did not finish: " + ex);
		}
	}

	private static Channel echoBackend(EventLoopGroup group) throws InterruptedException {
		return new ServerBootstrap().group(group)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline()
						.addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
								new WebSocketServerProtocolHandler(
										WebSocketServerProtocolConfig.newBuilder().websocketPath("/").checkStartsWith(true).build()),
								new SimpleChannelInboundHandler<TextWebSocketFrame>() {
									@Override
									protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
										ctx.writeAndFlush(frame.retain());
									}
								});
				}
			})
			.bind(new InetSocketAddress("127.0.0.1", 0))
			.sync()
			.channel();
	}

	record Result(int upgraded, int failed, String failure) {
	}

	/** The warm-up's connections: {@code concurrency} at a time, one after the other. */
	private static final class Run {

		final CompletableFuture<Result> done = new CompletableFuture<>();

		final AtomicInteger started = new AtomicInteger();

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger upgraded = new AtomicInteger();

		final AtomicInteger failed = new AtomicInteger();

		final AtomicInteger failedInARow = new AtomicInteger();

		final AtomicReference<String> lastFailure = new AtomicReference<>();

		private final EventLoopGroup group;

		private final URI uri;

		private final SslContext tls;

		private final long deadline;

		private final int max;

		private volatile boolean stopped;

		Run(EventLoopGroup group, URI uri, SslContext tls, long deadline, int max) {
			this.group = group;
			this.uri = uri;
			this.tls = tls;
			this.deadline = deadline;
			this.max = max;
		}

		/** Starts one more connection, unless the run is over. */
		void next() {
			if (this.stopped || System.nanoTime() > this.deadline || this.started.incrementAndGet() > this.max) {
				finishIfIdle();
				return;
			}
			this.inFlight.incrementAndGet();
			int port = this.uri.getPort();
			new Bootstrap().group(this.group)
				.channel(NioSocketChannel.class)
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
				.handler(new ChannelInitializer<SocketChannel>() {
					@Override
					protected void initChannel(SocketChannel channel) {
						if (Run.this.tls != null) {
							channel.pipeline().addLast(Run.this.tls.newHandler(channel.alloc(), Run.this.uri.getHost(), port));
						}
						channel.pipeline()
							.addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
									new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
										.webSocketUri(Run.this.uri)
										.version(WebSocketVersion.V13)
										.customHeaders(new DefaultHttpHeaders())
										.handshakeTimeoutMillis(10_000)
										.build()),
									new Session(Run.this));
					}
				})
				.connect(this.uri.getHost().replace("[", "").replace("]", ""), port)
				.addListener(connected -> {
					if (!connected.isSuccess()) {
						ended(false, "connect: " + connected.cause());
					}
				});
		}

		void ended(boolean success, String failure) {
			if (success) {
				this.upgraded.incrementAndGet();
				this.failedInARow.set(0);
			}
			else {
				this.failed.incrementAndGet();
				this.lastFailure.set(failure);
				if (this.failedInARow.incrementAndGet() >= MAX_FAILURES_IN_A_ROW) {
					this.stopped = true;
				}
			}
			this.inFlight.decrementAndGet();
			next();
		}

		private void finishIfIdle() {
			if (this.inFlight.get() == 0) {
				this.done.complete(new Result(this.upgraded.get(), this.failed.get(),
						this.stopped ? this.lastFailure.get() : null));
			}
		}

	}

	/** One warm-up connection: upgrade, a message there and back, close. */
	private static final class Session extends SimpleChannelInboundHandler<TextWebSocketFrame> {

		private final Run run;

		private boolean echoed;

		private String failure;

		Session(Run run) {
			this.run = run;
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
			if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
				ctx.writeAndFlush(new TextWebSocketFrame(MESSAGE));
			}
			else if (event == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
				this.failure = "no answer to the upgrade within 10 s";
				ctx.close();
			}
			else {
				super.userEventTriggered(ctx, event);
			}
		}

		@Override
		protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
			if (!this.echoed && MESSAGE.equals(frame.text())) {
				this.echoed = true;
				ctx.writeAndFlush(new CloseWebSocketFrame(1000, ""));
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.failure = (cause instanceof WebSocketClientHandshakeException handshake) ? handshake.getMessage()
					: cause.toString();
			ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			this.run.ended(this.echoed,
					(this.failure != null) ? this.failure : "closed before the message came back");
		}

	}

}
