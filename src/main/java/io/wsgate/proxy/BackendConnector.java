package io.wsgate.proxy;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.NetUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.ssl.SslBundle;

/**
 * Opens backend WebSocket connections: TCP (and TLS for {@code wss}/{@code https}) on the
 * client connection's own event loop, so that a relayed connection's two channels share one
 * thread, then the opening handshake. Host names are resolved asynchronously (Netty's DNS
 * resolver, which reads {@code /etc/hosts} first), never blocking an event loop.
 */
final class BackendConnector implements AutoCloseable {

	private volatile SslContext sslContext;

	private final DnsAddressResolverGroup nioResolver = new DnsAddressResolverGroup(
			new DnsNameResolverBuilder().datagramChannelType(NioDatagramChannel.class));

	private volatile DnsAddressResolverGroup epollResolver;

	BackendConnector() {
		this(null, false);
	}

	/**
	 * @param bundle trust (and client key) material, or null for the JDK's trust store
	 * @param insecure accept any certificate and host name
	 */
	BackendConnector(@Nullable SslBundle bundle, boolean insecure) {
		this.sslContext = sslContext(bundle, insecure);
	}

	/** Uses new trust and key material from now on (a reloaded bundle); open connections keep theirs. */
	void reload(@Nullable SslBundle bundle, boolean insecure) {
		this.sslContext = sslContext(bundle, insecure);
	}

	static SslContext sslContext(@Nullable SslBundle bundle, boolean insecure) {
		try {
			// host names are verified, and the backend's host is sent as SNI (newHandler(host, port))
			SslContextBuilder builder = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS");
			if (bundle != null) {
				builder.trustManager(bundle.getManagers().getTrustManagerFactory());
				if (bundle.getStores().getKeyStore() != null) {
					builder.keyManager(bundle.getManagers().getKeyManagerFactory());
				}
				if (bundle.getOptions().getEnabledProtocols() != null) {
					builder.protocols(bundle.getOptions().getEnabledProtocols());
				}
				if (bundle.getOptions().getCiphers() != null) {
					builder.ciphers(Arrays.asList(bundle.getOptions().getCiphers()));
				}
			}
			if (insecure) {
				builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
			}
			return builder.build();
		}
		catch (SSLException ex) {
			throw new IllegalStateException("cannot create the TLS context for backends: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Connects and completes the handshake, or fails with a {@link BackendHandshakeException}.
	 * Cancelling closes the backend connection.
	 */
	Mono<BackendLink> connect(BackendTarget target, DefaultHttpHeaders headers, List<String> offeredProtocols,
			Channel clientChannel, Duration timeout, int maxRejectionBody) {
		return Mono.create(sink -> {
			EventLoop loop = clientChannel.eventLoop();
			BackendHandshakeHandler handshake = new BackendHandshakeHandler(target, headers, offeredProtocols, sink);
			Bootstrap bootstrap = new Bootstrap().group(loop)
				.channel(socketChannelType(clientChannel))
				.resolver(resolverFor(clientChannel))
				.option(ChannelOption.TCP_NODELAY, true)
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
				.handler(new ChannelInitializer<Channel>() {
					@Override
					protected void initChannel(Channel channel) {
						ChannelPipeline pipeline = channel.pipeline();
						if (target.secure()) {
							pipeline.addLast("tls", tlsHandler(channel, target));
						}
						pipeline.addLast("http", new HttpClientCodec());
						pipeline.addLast("aggregator", new HttpObjectAggregator(maxRejectionBody));
						pipeline.addLast("handshake", handshake);
					}
				});
			ChannelFuture connecting = bootstrap.connect(target.host(), target.port());
			Channel channel = connecting.channel();
			ScheduledFuture<?> timer = loop.schedule(() -> {
				ChannelPipeline pipeline = channel.pipeline();
				if (pipeline.context(handshake) != null) {
					handshake.timedOut(pipeline.context(handshake));
				}
				else {
					handshake.failed(new ConnectTimeoutException("connect timed out"));
					channel.close();
				}
			}, timeout.toNanos(), TimeUnit.NANOSECONDS);
			connecting.addListener(done -> {
				if (!done.isSuccess()) {
					handshake.failed(done.cause());
				}
			});
			sink.onDispose(() -> timer.cancel(false));
			sink.onCancel(channel::close);
		});
	}

	/**
	 * TLS toward the backend, with SNI naming its host whatever it looks like (the JDK sends
	 * none on its own for names without a dot, such as a Kubernetes service name), but not for
	 * an IP address, which SNI may not carry.
	 */
	private SslHandler tlsHandler(Channel channel, BackendTarget target) {
		SslHandler handler = this.sslContext.newHandler(channel.alloc(), target.host(), target.port());
		if (!NetUtil.isValidIpV4Address(target.host()) && !NetUtil.isValidIpV6Address(target.host())) {
			try {
				SSLParameters parameters = handler.engine().getSSLParameters();
				parameters.setServerNames(List.of(new SNIHostName(target.host())));
				handler.engine().setSSLParameters(parameters);
			}
			catch (IllegalArgumentException ex) {
				// not a name SNI can carry: none is sent
			}
		}
		return handler;
	}

	private static Class<? extends Channel> socketChannelType(Channel clientChannel) {
		return (clientChannel instanceof EpollSocketChannel) ? EpollSocketChannel.class
				: NioSocketChannel.class;
	}

	private AddressResolverGroup<?> resolverFor(Channel clientChannel) {
		if (!(clientChannel instanceof EpollSocketChannel)) {
			return this.nioResolver;
		}
		DnsAddressResolverGroup resolver = this.epollResolver;
		if (resolver == null) {
			synchronized (this) {
				resolver = this.epollResolver;
				if (resolver == null) {
					resolver = new DnsAddressResolverGroup(
							new DnsNameResolverBuilder().datagramChannelType(EpollDatagramChannel.class));
					this.epollResolver = resolver;
				}
			}
		}
		return resolver;
	}

	/** What a failure to reach the backend means for the client. */
	static BackendHandshakeException describe(Throwable cause) {
		Throwable root = cause;
		while (root.getCause() != null && root.getCause() != root) {
			if (root instanceof SSLException) {
				break;
			}
			root = root.getCause();
		}
		if (cause instanceof BackendHandshakeException known) {
			return known;
		}
		if (root instanceof ConnectTimeoutException) {
			return BackendHandshakeException.timeout("backend connect timed out");
		}
		if (root instanceof ConnectException) {
			return BackendHandshakeException.unreachable("backend refused the connection");
		}
		if (root instanceof UnknownHostException) {
			return BackendHandshakeException.unreachable("backend host not found");
		}
		if (root instanceof SSLException) {
			return BackendHandshakeException.unreachable("TLS handshake with backend failed");
		}
		if (root instanceof TooLongFrameException
				|| root instanceof TooLongHttpContentException) {
			return BackendHandshakeException.unreachable("backend handshake answer too large");
		}
		return BackendHandshakeException.unreachable("backend unreachable: " + root.getClass().getSimpleName());
	}

	@Override
	public void close() {
		this.nioResolver.close();
		if (this.epollResolver != null) {
			this.epollResolver.close();
		}
	}

}
