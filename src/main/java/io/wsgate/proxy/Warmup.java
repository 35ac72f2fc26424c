package io.wsgate.proxy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
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
 * answers anything but upgrades (a default filter refusing it, say), the warm-up stops after
 * 20 failures in a row and says why; a failed warm-up never keeps the gateway from becoming
 * ready.
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
			catch (SSLException ex) {
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
		catch (ExecutionException | TimeoutException ex) {
			return new Result(run.upgraded.get(), run.failed.get(), "did not finish: " + ex);
		}
	}

	private static Channel echoBackend(EventLoopGroup group) throws InterruptedException {
		return new ServerBootstrap().group(group)
			.channel(NioServerSocketChannel.class)
			.childHandler(new ChannelInitializer<SocketChannel>() {
				@Override
				protected void initChannel(SocketChannel channel) {
					channel.pipeline().addLast(new EchoBackend());
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
						channel.pipeline().addLast(new Session(Run.this));
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

	/**
	 * The bytes both ends of a warm-up connection read: an HTTP head, then WebSocket frames.
	 * Written on bytes rather than Netty's WebSocket codecs, which the gateway does not use:
	 * the warm-up's own side should cost next to nothing, so that the JIT compiles the
	 * gateway's path and little else.
	 */
	private abstract static class WireHandler extends ChannelInboundHandlerAdapter {

		private ByteBuf in;

		private boolean headRead;

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) {
			ByteBuf bytes = (ByteBuf) msg;
			if (this.in == null) {
				this.in = ctx.alloc().buffer(256);
			}
			this.in.writeBytes(bytes);
			bytes.release();
			if (!this.headRead) {
				int end = ByteBufUtil.indexOf(HEAD_END, this.in);
				if (end < 0) {
					if (this.in.readableBytes() > 8192) {
						ctx.close();
					}
					return;
				}
				String head = this.in.readCharSequence(end - this.in.readerIndex() + 4, StandardCharsets.ISO_8859_1)
					.toString();
				this.headRead = true;
				if (!head(ctx, head)) {
					return;
				}
			}
			while (ctx.channel().isOpen()) {
				int start = this.in.readerIndex();
				if (this.in.readableBytes() < 2) {
					break;
				}
				int opcode = this.in.getByte(start) & 0x0F;
				boolean masked = (this.in.getByte(start + 1) & 0x80) != 0;
				int length = this.in.getByte(start + 1) & 0x7F;
				int header = 2;
				if (length == 126) {
					if (this.in.readableBytes() < 4) {
						break;
					}
					length = this.in.getUnsignedShort(start + 2);
					header = 4;
				}
				else if (length == 127) {
					ctx.close(); // never sent by this exchange
					return;
				}
				int total = header + (masked ? 4 : 0) + length;
				if (this.in.readableBytes() < total) {
					break;
				}
				byte[] payload = new byte[length];
				this.in.getBytes(start + header + (masked ? 4 : 0), payload);
				if (masked) {
					for (int i = 0; i < length; i++) {
						payload[i] ^= this.in.getByte(start + header + (i & 3));
					}
				}
				this.in.skipBytes(total);
				frame(ctx, opcode, payload);
			}
			this.in.discardReadBytes();
		}

		/** The HTTP head has been read; false if the connection is done with. */
		abstract boolean head(ChannelHandlerContext ctx, String head);

		abstract void frame(ChannelHandlerContext ctx, int opcode, byte[] payload);

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			if (this.in != null) {
				this.in.release();
				this.in = null;
			}
		}

		/** A frame of one fragment; masked with a fixed key (client to server) or not. */
		static ByteBuf frame(ChannelHandlerContext ctx, int opcode, byte[] payload, boolean mask) {
			ByteBuf out = ctx.alloc().buffer(payload.length + 8);
			out.writeByte(0x80 | opcode);
			out.writeByte((mask ? 0x80 : 0) | payload.length);
			if (mask) {
				out.writeBytes(MASK);
			}
			for (int i = 0; i < payload.length; i++) {
				out.writeByte(mask ? payload[i] ^ MASK[i & 3] : payload[i]);
			}
			return out;
		}

	}

	private static final ByteBuf HEAD_END = Unpooled
		.unreleasableBuffer(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)));

	private static final byte[] MASK = { 0x1f, 0x2e, 0x3d, 0x4c };

	private static final byte[] CLOSE_NORMAL = { (byte) (CloseCodes.NORMAL >> 8), (byte) CloseCodes.NORMAL };

	/** The warm-up's echo backend: answers the gateway's upgrade, echoes, returns the close. */
	private static final class EchoBackend extends WireHandler {

		private static final Pattern KEY = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)\\s*$");

		@Override
		boolean head(ChannelHandlerContext ctx, String head) {
			Matcher key = KEY.matcher(head);
			if (!key.find()) {
				ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
						StandardCharsets.ISO_8859_1)).addListener(ChannelFutureListener.CLOSE);
				return false;
			}
			ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
					+ "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n",
					StandardCharsets.ISO_8859_1));
			return true;
		}

		@Override
		void frame(ChannelHandlerContext ctx, int opcode, byte[] payload) {
			if (opcode == Opcodes.CLOSE) {
				ctx.writeAndFlush(frame(ctx, Opcodes.CLOSE, payload, false)).addListener(ChannelFutureListener.CLOSE);
			}
			else {
				ctx.writeAndFlush(frame(ctx, (opcode == Opcodes.PING) ? Opcodes.PONG : opcode, payload, false));
			}
		}

		private static String accept(String key) {
			try {
				MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
				return Base64.getEncoder()
					.encodeToString(sha1.digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
						.getBytes(StandardCharsets.ISO_8859_1)));
			}
			catch (NoSuchAlgorithmException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** One warm-up connection: upgrade, a message there and back, close. */
	private static final class Session extends WireHandler {

		private static final byte[] TEXT = MESSAGE.getBytes(StandardCharsets.UTF_8);

		private final Run run;

		private boolean echoed;

		private String failure;

		private ScheduledFuture<?> timeout;

		Session(Run run) {
			this.run = run;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) {
			this.timeout = ctx.executor().schedule(() -> {
				this.failure = "no upgrade, echo and close within 10 s";
				ctx.close();
			}, 10, TimeUnit.SECONDS);
			URI uri = this.run.uri;
			ctx.writeAndFlush(Unpooled.copiedBuffer("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost()
					+ ":" + uri.getPort() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Key: d3NnYXRlIHdhcm0tdXAhIQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
					StandardCharsets.ISO_8859_1));
		}

		@Override
		boolean head(ChannelHandlerContext ctx, String head) {
			if (!head.startsWith("HTTP/1.1 101")) {
				int line = head.indexOf('\r');
				this.failure = "answered " + head.substring(0, Math.max(0, line));
				ctx.close();
				return false;
			}
			ctx.writeAndFlush(frame(ctx, Opcodes.TEXT, TEXT, true));
			return true;
		}

		@Override
		void frame(ChannelHandlerContext ctx, int opcode, byte[] payload) {
			if (opcode == Opcodes.TEXT && !this.echoed && Arrays.equals(payload, TEXT)) {
				this.echoed = true;
				ctx.writeAndFlush(frame(ctx, Opcodes.CLOSE, CLOSE_NORMAL, true));
			}
			else if (opcode == Opcodes.CLOSE) {
				if (!this.echoed) {
					this.failure = "closed before the message came back"
							+ ((payload.length >= 2) ? " (" + (((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)) + ")" : "");
				}
				ctx.close();
			}
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
			this.failure = cause.toString();
			ctx.close();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) {
			super.channelInactive(ctx);
			if (this.timeout != null) {
				this.timeout.cancel(false);
			}
			this.run.ended(this.echoed,
					(this.failure != null) ? this.failure : "closed before the message came back");
		}

	}

}
