package io.wsgate.support;

import java.nio.file.Path;
import java.time.Duration;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A {@code wss://} echo backend on a random loopback port, with the key of a test key store;
 * optionally it requires a client certificate trusted by a given trust store (mTLS).
 */
public final class TlsEchoBackend implements AutoCloseable {

	private final DisposableServer server;

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
			.handle((request, response) -> response.sendWebsocket((in, out) -> out
				.sendObject(in.receiveFrames().map(WebSocketFrame::retain))
				.then()))
			.bindNow(Duration.ofSeconds(10));
	}

	public int port() {
		return this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

}
