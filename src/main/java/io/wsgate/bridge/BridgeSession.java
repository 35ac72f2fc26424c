package io.wsgate.bridge;

import java.net.URI;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import io.wsgate.proxy.LogLine;
import io.wsgate.proxy.CloseStatus;
import io.wsgate.proxy.MessageEndpoint;
import io.wsgate.proxy.Utf8;

/**
 * One bridged connection: each whole message from the client becomes a POST to the path its
 * {@code route-selection} value names, at most {@code max-in-flight} at a time and dispatched
 * in the order they came; each answer with a body goes back as one message. While requests
 * are at the limit (or the client does not take the answers as fast as they come), the
 * client's socket is not read: what waits here is at most what was read before reading
 * stopped. Runs on the connection's event loop.
 */
final class BridgeSession implements MessageEndpoint.Session {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String TEXT = "text/plain; charset=utf-8";

	private static final String JSON_TYPE = "application/json";

	private static final String BINARY = "application/octet-stream";

	private final HttpBridge bridge;

	private final BridgeSettings settings;

	private final MessageEndpoint.Request request;

	private final @Nullable String subprotocol;

	/** Where calls go: the scheme and authority of the route's target. */
	private final String base;

	/** The headers every message request carries: the ids and the identity headers. */
	private final HttpHeaders messageHeaders = new HttpHeaders();

	private MessageEndpoint.@Nullable Peer peer;

	/** Messages read from the client and not yet sent on: bounded by what one read brings. */
	private final ArrayDeque<Message> waiting = new ArrayDeque<>();

	private final Set<Disposable> inFlight = new HashSet<>();

	/** The bridge closed the connection (an answer it could not pass on): nothing more is sent. */
	private boolean closing;

	private @Nullable CloseStatus ended;

	private boolean disconnected;

	BridgeSession(HttpBridge bridge, MessageEndpoint.Request request, @Nullable String subprotocol) {
		this.bridge = bridge;
		this.settings = bridge.settings();
		this.request = request;
		this.subprotocol = subprotocol;
		this.base = HttpBridge.base(request);
		this.messageHeaders.addAll(request.identity());
		this.messageHeaders.set(HttpBridge.CONNECTION_ID, request.connectionId());
		this.messageHeaders.set(HttpBridge.ROUTE, request.routeId());
	}

	private record Message(boolean text, byte[] payload) {
	}

	@Override
	public @Nullable String subprotocol() {
		return this.subprotocol;
	}

	@Override
	public void started(MessageEndpoint.Peer peer) {
		this.peer = peer;
	}

	@Override
	public void message(boolean text, byte[] payload) {
		if (this.closing || this.ended != null) {
			return;
		}
		this.waiting.add(new Message(text, payload));
		pump();
	}

	@Override
	public void caughtUp() {
		pump();
	}

	/** Sends on what waits while there is room, and reads the client only while nothing waits. */
	private void pump() {
		MessageEndpoint.Peer peer = this.peer;
		if (peer == null) {
			return;
		}
		while (!this.waiting.isEmpty() && this.inFlight.size() < this.settings.maxInFlight() && !this.closing
				&& this.ended == null && peer.keepsUp()) {
			dispatch(this.waiting.poll());
		}
		if (this.ended == null) {
			peer.reading(this.waiting.isEmpty() && !this.closing);
		}
	}

	private void dispatch(Message message) {
		String path;
		String contentType;
		if (!message.text()) {
			path = this.settings.defaultPath();
			contentType = BINARY;
		}
		else {
			JsonNode json = parse(message.payload());
			contentType = (json != null) ? JSON_TYPE : TEXT;
			path = (json != null) ? route(json) : this.settings.defaultPath();
		}
		if (path == null) {
			close(1008, message.text() ? "no route for this message" : "binary messages have no route here");
			return;
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(this.messageHeaders);
		headers.set(HttpHeaders.CONTENT_TYPE, contentType);
		long start = System.nanoTime();
		Disposable[] call = new Disposable[1];
		call[0] = this.bridge.client()
			.post(URI.create(this.base + path), headers, message.payload(), this.settings.requestTimeout(),
					this.request.maxOutbound())
			.subscribe(answer -> onLoop(() -> answered(call[0], answer, start)),
					failure -> onLoop(() -> failed(call[0], failure, start)));
		this.inFlight.add(call[0]); // its answer comes in a later task of this loop, which takes it off
	}

	private @Nullable String route(JsonNode message) {
		JsonNode value = message.at(this.settings.routeSelection());
		String key = (value.isString() || value.isNumber() || value.isBoolean()) ? value.asString() : null;
		String path = (key != null) ? this.settings.routes().get(key) : null;
		return (path != null) ? path : this.settings.defaultPath();
	}

	private static @Nullable JsonNode parse(byte[] text) {
		try {
			JsonNode node = JSON.readTree(text);
			return (node != null && !node.isMissingNode()) ? node : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	private void answered(Disposable call, BridgeClient.Answer answer, long start) {
		this.inFlight.remove(call);
		this.bridge.metrics().call(this.request.routeId(), "message", BridgeMetrics.outcome(answer.status()), start);
		if (this.ended != null) {
			disconnectWhenIdle();
			return;
		}
		if (!answer.ok()) {
			LogLine.of(HttpBridge.log.atInfo(), "bridge message call answered")
				.with("route", this.request.routeId())
				.with("id", this.request.connectionId())
				.with("status", answer.status())
				.text(": closing with 1011")
				.log();
			close(1011, "backend answered " + answer.status());
			return;
		}
		if (answer.status() != 204 && answer.body().length > 0 && !this.closing) {
			boolean text = isTextual(answer.contentType());
			if (text && !Utf8.isValid(answer.body())) {
				close(1011, "backend answer is not valid UTF-8");
				return;
			}
			this.peer.send(text, answer.body());
		}
		pump();
	}

	private void failed(Disposable call, Throwable failure, long start) {
		this.inFlight.remove(call);
		boolean timedOut = failure instanceof BridgeClient.CallFailure callFailure && callFailure.timedOut();
		this.bridge.metrics().call(this.request.routeId(), "message", timedOut ? "timeout" : "failed", start);
		if (this.ended != null) {
			disconnectWhenIdle();
			return;
		}
		String reason = (failure instanceof BridgeClient.CallFailure) ? failure.getMessage() : "unreachable";
		LogLine.of(HttpBridge.log.atInfo(), "bridge message call failed")
			.with("route", this.request.routeId())
			.with("id", this.request.connectionId())
			.quoted("reason", reason)
			.text(": closing with 1011")
			.log();
		close(1011, "backend " + reason);
	}

	private void close(int code, String reason) {
		if (this.closing) {
			return;
		}
		this.closing = true;
		this.waiting.clear();
		if (this.peer != null) {
			this.peer.close(code, reason);
		}
	}

	@Override
	public void ended(CloseStatus status) {
		if (this.ended != null) {
			return;
		}
		this.ended = status;
		this.waiting.clear();
		disconnectWhenIdle();
	}

	/** The {@code disconnect} call, once, after the calls still outstanding have been answered. */
	private void disconnectWhenIdle() {
		CloseStatus status = this.ended;
		String path = this.settings.disconnect();
		if (status == null || !this.inFlight.isEmpty() || this.disconnected) {
			return;
		}
		this.disconnected = true;
		if (path == null) {
			return;
		}
		HttpHeaders headers = new HttpHeaders();
		headers.addAll(this.messageHeaders);
		headers.setContentType(MediaType.APPLICATION_JSON);
		byte[] body = JSON.writeValueAsBytes(new Disconnect(status.code(), status.reason(),
				status.initiator().toString()));
		long start = System.nanoTime();
		String route = this.request.routeId();
		String id = this.request.connectionId();
		this.bridge.client()
			.post(URI.create(this.base + path), headers, body, this.settings.requestTimeout(), 64 * 1024)
			.subscribe(answer -> {
				this.bridge.metrics().call(route, "disconnect", BridgeMetrics.outcome(answer.status()), start);
				if (!answer.ok()) {
					LogLine.of(HttpBridge.log.atWarn(), "bridge disconnect call answered")
						.with("route", route)
						.with("id", id)
						.with("status", answer.status())
						.log();
				}
			}, failure -> {
				boolean timedOut = failure instanceof BridgeClient.CallFailure callFailure && callFailure.timedOut();
				this.bridge.metrics().call(route, "disconnect", timedOut ? "timeout" : "failed", start);
				LogLine.of(HttpBridge.log.atWarn(), "bridge disconnect call failed")
					.with("route", route)
					.with("id", id)
					.quoted("reason", (failure instanceof BridgeClient.CallFailure) ? failure.getMessage() : "unreachable")
					.log();
			});
	}

	/** The body of the {@code disconnect} call. */
	record Disconnect(int code, String reason, String initiator) {
	}

	private void onLoop(Runnable task) {
		MessageEndpoint.Peer peer = this.peer;
		if (peer != null) {
			peer.executor().execute(task);
		}
	}

	static boolean isTextual(@Nullable String contentType) {
		if (contentType == null) {
			return false;
		}
		String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
		return type.startsWith("text/") || type.equals("application/json") || type.endsWith("+json")
				|| type.equals("application/xml") || type.endsWith("+xml") || type.equals("application/javascript");
	}


}
