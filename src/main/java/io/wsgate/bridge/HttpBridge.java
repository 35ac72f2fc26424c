package io.wsgate.bridge;

import java.net.URI;
import java.util.Locale;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;

import io.wsgate.proxy.LogLine;
import io.wsgate.proxy.MessageEndpoint;

/**
 * One {@code WebSocketBridge} route's endpoint: opens each connection with the optional
 * {@code connect} call, then hands it to a {@link BridgeSession}.
 */
final class HttpBridge implements MessageEndpoint {

	static final Logger log = LoggerFactory.getLogger("io.wsgate.bridge");

	static final String CONNECTION_ID = "X-WsGate-Connection-Id";

	static final String ROUTE = "X-WsGate-Route";

	private final BridgeSettings settings;

	private final BridgeClient client;

	private final BridgeMetrics metrics;

	private final long maxRejectionBody;

	HttpBridge(BridgeSettings settings, BridgeClient client, BridgeMetrics metrics, long maxRejectionBody) {
		this.settings = settings;
		this.client = client;
		this.metrics = metrics;
		this.maxRejectionBody = maxRejectionBody;
	}

	@Override
	public Mono<Session> open(Request request) {
		if (this.settings.connect() == null) {
			return Mono.just(new BridgeSession(this, request, null));
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(request.headers());
		headers.set(CONNECTION_ID, request.connectionId());
		headers.set(ROUTE, request.routeId());
		long start = System.nanoTime();
		return this.client
			.post(uri(request, this.settings.connect()), headers, new byte[0], this.settings.requestTimeout(),
					this.maxRejectionBody)
			.onErrorMap(BridgeClient.CallFailure.class, failure -> {
				this.metrics.call(request.routeId(), "connect", failure.timedOut() ? "timeout" : "failed", start);
				LogLine.of(log.atWarn(), "bridge connect call failed")
					.with("route", request.routeId())
					.with("id", request.connectionId())
					.quoted("reason", failure.getMessage())
					.log();
				return Refusal.failed(failure.timedOut() ? 504 : 502, "connect call " + failure.getMessage());
			})
			.map(answer -> {
				this.metrics.call(request.routeId(), "connect", BridgeMetrics.outcome(answer.status()), start);
				if (!answer.ok()) {
					LogLine.of(log.atInfo(), "bridge connect refused")
						.with("route", request.routeId())
						.with("id", request.connectionId())
						.with("status", answer.status())
						.log();
					throw Refusal.refused(answer.status(), answer.headers(), answer.body());
				}
				return new BridgeSession(this, request, subprotocol(answer));
			});
	}

	private static @Nullable String subprotocol(BridgeClient.Answer answer) {
		String chosen = answer.headers().getFirst("Sec-WebSocket-Protocol");
		return (chosen == null || chosen.isBlank()) ? null : chosen.trim();
	}

	BridgeSettings settings() {
		return this.settings;
	}

	BridgeClient client() {
		return this.client;
	}

	BridgeMetrics metrics() {
		return this.metrics;
	}

	/** {@code path} on the scheme and authority the route resolved to (a pool's server for {@code lb://}). */
	static URI uri(Request request, String path) {
		return URI.create(base(request) + path);
	}

	/** The scheme and authority calls go to: {@code http} or {@code https}, the target's host and port. */
	static String base(Request request) {
		URI target = request.target();
		String scheme = target.getScheme().toLowerCase(Locale.ROOT);
		String http = (scheme.equals("wss") || scheme.equals("https")) ? "https" : "http";
		return http + "://" + target.getRawAuthority();
	}

	@Override
	public String toString() {
		return "WebSocketBridge" + this.settings;
	}

}
