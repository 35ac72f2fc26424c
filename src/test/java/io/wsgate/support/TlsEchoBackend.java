package io.wsgate.support;

import java.nio.file.Path;
import java.time.Duration;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A {@code wss://} echo backend on a random loopback port, with the key of a test key store;
 * optionally it requires a client certificate trusted by a given trust store (mTLS). It
 * remembers the host name its last client asked for (SNI).
 */
public final class TlsEchoBackend implements AutoCloseable {

	private final DisposableServer server;

	private volatile String lastServerName;

	public TlsEchoBackend(Path keyStore, Path clientTrust) throws Exception {
		SslContextBuilder builder = SslContextBuilder.forServer(Certificates.keyManagers(keyStore));
		if (clientTrust != null) {
			builder.trustManager(Certificates.trustManagers(clientTrust)).clientAuth(ClientAuth.REQUIRE);
		}
		SslContext context = builder.build();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.secure(spec -> spec.sslContext(context))
			.doOnConnection(connection -> {
				SslHandler tls = connection.channel().pipeline().get(SslHandler.class);
				if (tls != null) {
					tls.handshakeFuture().addListener(done -> {
						if (done.isSuccess() && tls.engine().getSession() instanceof ExtendedSSLSession session) {
							for (SNIServerName name : session.getRequestedServerNames()) {
								if (name instanceof SNIHostName host) {
									this.lastServerName = host.getAsciiName();
								}
							}
						}
					});
				}
			})
			.handle((request, response) -> response.sendWebsocket((in, out) -> out
				.sendObject(in.receiveFrames().map(WebSocketFrame::retain))
				.then()))
			.bindNow(Duration.ofSeconds(10));
	}

	/** The host name the last TLS client asked for (SNI), or null. */
	public String lastServerName() {
		return this.lastServerName;
	}

	public int port() {
		return this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
