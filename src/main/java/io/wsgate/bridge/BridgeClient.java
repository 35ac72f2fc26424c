package io.wsgate.bridge;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.HttpHeaders;

/**
 * The bridge's HTTP calls: POSTs through one pooled, non-blocking Reactor Netty client. Each
 * call is bounded in time (the whole exchange, connecting included) and in the size of the
 * answer's body it will hold; what went wrong is told apart as the client is answered: an
 * {@link Answer} for any status, {@link CallFailure} for no usable answer.
 */
public final class BridgeClient implements AutoCloseable {

	private final ConnectionProvider connections;

	private final HttpClient client;

	BridgeClient(BridgeProperties properties, Duration connectTimeout) {
		this.connections = ConnectionProvider.builder("wsgate-bridge")
			.maxConnections(properties.getMaxConnections())
			.pendingAcquireMaxCount(properties.getMaxPendingRequests())
			.maxIdleTime(properties.getMaxIdleTime())
			.build();
		this.client = HttpClient.create(this.connections)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
			.option(ChannelOption.TCP_NODELAY, true)
			.followRedirect(false)
			.compress(false);
	}

	/** What the service answered: its status, headers and body (at most the limit asked for). */
	record Answer(int status, HttpHeaders headers, byte[] body) {

		boolean ok() {
			return this.status >= 200 && this.status < 300;
		}

		@Nullable String contentType() {
			return this.headers.getFirst(HttpHeaders.CONTENT_TYPE);
		}

	}

	/** No usable answer: {@code timedOut} (within the request timeout) or otherwise failed, with a short reason. */
	static final class CallFailure extends RuntimeException {

		private final boolean timedOut;

		CallFailure(boolean timedOut, String message) {
			super(message, null, false, false);
			this.timedOut = timedOut;
		}

		boolean timedOut() {
			return this.timedOut;
		}

	}

	/**
	 * POSTs {@code body} to {@code uri}. Fails with {@link CallFailure}: unreachable, timed out
	 * after {@code timeout}, or an answer body over {@code maxAnswer} bytes.
	 */
	Mono<Answer> post(URI uri, HttpHeaders headers, byte[] body, Duration timeout, long maxAnswer) {
		return this.client.post()
			.uri(uri)
			.send((request, out) -> {
				headers.forEach((name, values) -> request.requestHeaders().add(name, values));
				return out.sendByteArray(Mono.just(body));
			})
			.response((response, content) -> {
				HttpHeaders answerHeaders = new HttpHeaders();
				response.responseHeaders().forEach(entry -> answerHeaders.add(entry.getKey(), entry.getValue()));
				String length = response.responseHeaders().get(HttpHeaderNames.CONTENT_LENGTH);
				if (length != null && parse(length) > maxAnswer) {
					return Mono.error(new CallFailure(false, "answer over the size limit"));
				}
				return content.asByteArray()
					.reduce(new ByteArrayOutputStream(), (all, chunk) -> {
						if (all.size() + (long) chunk.length > maxAnswer) {
							throw new CallFailure(false, "answer over the size limit");
						}
						all.writeBytes(chunk);
						return all;
					})
					.map(all -> new Answer(response.status().code(), answerHeaders, all.toByteArray()))
					.defaultIfEmpty(new Answer(response.status().code(), answerHeaders, new byte[0]));
			})
			.next()
			.timeout(timeout)
			.onErrorMap(failure -> !(failure instanceof CallFailure), failure -> (failure instanceof TimeoutException)
					? new CallFailure(true, "timed out") : new CallFailure(false, "unreachable"));
	}

	private static long parse(String length) {
		try {
			return Long.parseLong(length.trim());
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	@Override
	public void close() {
		this.connections.dispose();
	}

}
