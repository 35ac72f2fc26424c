package io.wsgate.pools;

import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.timeout.ReadTimeoutException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.resources.ConnectionProvider;

/**
 * Runs health probes with Reactor Netty's client: non-blocking, on Reactor Netty's event
 * loops, one fresh connection per probe (never pooled, so a probe never reuses or leaks a
 * connection), each bounded by the check's timeout, after which its connection is closed.
 * <ul>
 * <li>HTTP: the request as configured; passes on a status in range, matching headers and,
 * when asked, a body (its first {@value #BODY_LIMIT} bytes) that matches.</li>
 * <li>WebSocket: a real upgrade ({@link WebSocketProbe}); passes on a status in range (101
 * unless told otherwise) and matching headers; the connection is then closed with 1000 at once.</li>
 * </ul>
 * With both, a server must pass both; they run side by side, so a round costs at most one
 * timeout.
 */
final class HealthProber {

	static final int BODY_LIMIT = 64 * 1024;

	static final String CLOSE_REASON = "wsgate health check";

	private final HttpClient client = HttpClient.create(ConnectionProvider.newConnection())
		.followRedirect(false)
		.compress(false);

	private final WebSocketProbe webSocket = new WebSocketProbe();

	/** Probes {@code server} as {@code plan} says; never fails, never takes longer than the timeout. */
	Mono<ProbeResult> probe(PoolServer server, HealthCheckPlan plan) {
		Mono<ProbeResult> http = (plan.http() != null) ? probeHttp(server, plan.http(), plan.timeout()) : null;
		Mono<ProbeResult> ws = (plan.ws() != null) ? probeWs(server, plan.ws(), plan.timeout()) : null;
		if (http != null && ws != null) {
			return Mono.zip(http, ws, HealthProber::both);
		}
		return (http != null) ? http : ws;
	}

	private static ProbeResult both(ProbeResult http, ProbeResult ws) {
		Duration latency = (http.latency().compareTo(ws.latency()) >= 0) ? http.latency() : ws.latency();
		Instant time = http.time().isBefore(ws.time()) ? http.time() : ws.time();
		if (!http.passed()) {
			return ProbeResult.failed(time, latency,
					ws.passed() ? http.failure() : http.failure() + "; " + ws.failure());
		}
		return ws.passed() ? ProbeResult.passed(time, latency) : ProbeResult.failed(time, latency, ws.failure());
	}

	// ---- HTTP ----

	private Mono<ProbeResult> probeHttp(PoolServer server, HealthCheckPlan.Http plan, Duration timeout) {
		return Mono.defer(() -> {
			Instant time = Instant.now();
			long start = System.nanoTime();
			String url = url(server.isSecure() ? "https" : "http", server, plan.port(), plan.uri());
			return configured(plan.headers(), timeout).request(HttpMethod
				.valueOf(plan.method().name()))
				.uri(url)
				.responseConnection((response, connection) -> checkHttp(response, connection, plan))
				.single()
				.map(problem -> result(time, start, problem.isEmpty() ? null : "http: " + problem))
				.timeout(timeout)
				.onErrorResume(ex -> Mono.just(result(time, start, "http: " + describe(ex, timeout))));
		});
	}

	/**
	 * The answer's problem, or "" when it passes. The body is read (at most
	 * {@value #BODY_LIMIT} bytes) whatever the verdict, so that every buffer is released.
	 */
	private static Mono<String> checkHttp(HttpClientResponse response, Connection connection,
			HealthCheckPlan.Http plan) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		return connection.inbound()
			.receive()
			.doOnNext(buffer -> copy(buffer, body))
			.takeUntil(buffer -> body.size() >= BODY_LIMIT)
			.then(Mono.fromSupplier(() -> httpProblem(response, body, plan)));
	}

	private static String httpProblem(HttpClientResponse response, ByteArrayOutputStream body,
			HealthCheckPlan.Http plan) {
		int status = response.status().code();
		if (!plan.statusCodes().contains(status)) {
			return "status " + status + " not in " + plan.statusCodes();
		}
		String headerProblem = headerProblem(response.responseHeaders(), plan.headerRules());
		if (headerProblem != null) {
			return headerProblem;
		}
		HealthCheckPlan.BodyRule rule = plan.body();
		return (rule == null || rule.matches(body.toString(StandardCharsets.UTF_8))) ? "" : "body " + rule;
	}

	private static void copy(ByteBuf buffer, ByteArrayOutputStream body) {
		int length = Math.min(buffer.readableBytes(), BODY_LIMIT - body.size());
		if (length > 0) {
			byte[] bytes = new byte[length];
			buffer.getBytes(buffer.readerIndex(), bytes);
			body.write(bytes, 0, length);
		}
	}

	// ---- WebSocket ----

	private Mono<ProbeResult> probeWs(PoolServer server, HealthCheckPlan.Ws plan, Duration timeout) {
		return Mono.defer(() -> {
			Instant time = Instant.now();
			long start = System.nanoTime();
			int port = (plan.port() > 0) ? plan.port() : server.getPort();
			AtomicReference<@Nullable ProbeResult> answered = new AtomicReference<>();
			return this.webSocket
				.upgrade(server.getHost(), port, server.isSecure(), plan.uri(), plan.headers(), timeout, CLOSE_REASON,
						answer -> {
							String problem = answer.acceptValid()
									? upgradeProblem(answer.status(), answer.headers(), plan)
									: "upgraded with a wrong Sec-WebSocket-Accept";
							answered.set(result(time, start, (problem != null) ? "ws: " + problem : null));
						})
				.timeout(timeout)
				.then(Mono.fromSupplier(answered::get))
				.switchIfEmpty(Mono.fromSupplier(() -> result(time, start, "ws: connection closed before an answer")))
				.onErrorResume(ex -> {
					// an answer that came in time counts, even if the close then took too long
					ProbeResult result = answered.get();
					return Mono.just((result != null) ? result : result(time, start, "ws: " + describe(ex, timeout)));
				});
		});
	}

	private static @Nullable String upgradeProblem(int status, HttpHeaders headers, HealthCheckPlan.Ws plan) {
		if (!plan.statusCodes().contains(status)) {
			return (status == 101) ? "upgraded (101), which is not in " + plan.statusCodes()
					: "upgrade refused with status " + status;
		}
		return headerProblem(headers, plan.headerRules());
	}

	// ---- shared ----

	private HttpClient configured(Map<String, String> headers, Duration timeout) {
		return this.client.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
			.headers(outgoing -> headers.forEach(outgoing::set));
	}

	private static String url(String scheme, PoolServer server, int port, String uri) {
		String host = server.getHost().contains(":") ? "[" + server.getHost() + "]" : server.getHost();
		return scheme + "://" + host + ":" + ((port > 0) ? port : server.getPort()) + uri;
	}

	private static @Nullable String headerProblem(HttpHeaders headers, List<HealthCheckPlan.HeaderRule> rules) {
		for (HealthCheckPlan.HeaderRule rule : rules) {
			String problem = rule.problem(headers.getAll(rule.name()));
			if (problem != null) {
				return problem;
			}
		}
		return null;
	}

	private static ProbeResult result(Instant time, long start, @Nullable String failure) {
		Duration latency = Duration.ofNanos(System.nanoTime() - start);
		return (failure == null) ? ProbeResult.passed(time, latency) : ProbeResult.failed(time, latency, failure);
	}

	/** A short reason for an operator; never a header value or a body. */
	static String describe(Throwable failure, Duration timeout) {
		if (find(failure, TimeoutException.class) != null
				|| find(failure, ConnectTimeoutException.class) != null
				|| find(failure, ReadTimeoutException.class) != null) {
			return "no answer within " + timeout.toMillis() + "ms";
		}
		if (find(failure, ConnectException.class) != null) {
			return "connection refused";
		}
		if (find(failure, UnknownHostException.class) != null) {
			return "host not found";
		}
		if (find(failure, SSLException.class) != null) {
			return "TLS handshake failed";
		}
		if (find(failure, AbortedException.class) != null
				|| find(failure, PrematureCloseException.class) != null) {
			return "connection closed before an answer";
		}
		return failure.getClass().getSimpleName();
	}

	private static <T extends Throwable> @Nullable T find(Throwable failure, Class<T> type) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (type.isInstance(cause)) {
				return type.cast(cause);
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return null;
	}

}
