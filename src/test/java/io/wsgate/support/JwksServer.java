package io.wsgate.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;

/**
 * A JWK set served over HTTP on a random loopback port, at {@code /jwks.json}: what an
 * identity provider publishes. The set can be replaced (key rotation) and the fetches are
 * counted.
 */
public final class JwksServer implements AutoCloseable {

	private final HttpServer server;

	private volatile String json = new JWKSet().toString();

	private final AtomicInteger fetches = new AtomicInteger();

	public JwksServer() {
		try {
			this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		this.server.createContext("/jwks.json", exchange -> {
			this.fetches.incrementAndGet();
			byte[] body = this.json.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().set("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		this.server.start();
	}

	public String uri() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/jwks.json";
	}

	/** Publishes {@code keys} (public parts only) from now on. */
	public void publish(JWKSet keys) {
		this.json = keys.toPublicJWKSet().toString();
	}

	public int fetches() {
		return this.fetches.get();
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
