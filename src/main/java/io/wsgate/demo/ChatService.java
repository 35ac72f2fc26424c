package io.wsgate.demo;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The demo's chat as a stateless HTTP service behind a {@code WebSocketBridge} route: it never
 * sees a WebSocket. The gateway POSTs {@code /chat/join} ({@code {"action":"join","name":..}}),
 * {@code /chat/send} ({@code {"action":"send","text":..}}) and {@code /chat/disconnect}, each with
 * the connection's id in {@code X-WsGate-Connection-Id}; what everyone should see goes out through
 * {@code broadcast} (the connections API's fan-out), what only the sender should see is the answer.
 * Names are kept per connection id, at most {@value #MAX_MEMBERS} of them.
 */
final class ChatService {

	static final int MAX_MEMBERS = 10_000;

	private static final int MAX_TEXT = 2_000;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Map<String, String> names = new ConcurrentHashMap<>();

	/** Sends one text message to every chat connection; null: only answers go out (backend alone). */
	private final @Nullable Function<String, Mono<Void>> broadcast;

	ChatService(@Nullable Function<String, Mono<Void>> broadcast) {
		this.broadcast = broadcast;
	}

	HttpServerRoutes routes(HttpServerRoutes routes) {
		return routes.post("/chat/join", this::join).post("/chat/send", this::send).post("/chat/disconnect", this::left);
	}

	private Mono<Void> join(HttpServerRequest request, HttpServerResponse response) {
		return body(request).flatMap(message -> {
			String id = request.requestHeaders().get("X-WsGate-Connection-Id", "-");
			String name = clean(message.path("name").asString(""), 40);
			if (name.isEmpty() || (this.names.size() >= MAX_MEMBERS && !this.names.containsKey(id))) {
				return answer(response, event("error", null, name.isEmpty() ? "a name is needed" : "the chat is full"));
			}
			this.names.put(id, name);
			return everyone(event("joined", name, null))
				.then(answer(response, event("welcome", name, this.names.size() + " in the chat")));
		});
	}

	private Mono<Void> send(HttpServerRequest request, HttpServerResponse response) {
		return body(request).flatMap(message -> {
			String name = this.names.get(request.requestHeaders().get("X-WsGate-Connection-Id", "-"));
			if (name == null) {
				return answer(response, event("error", null, "join first"));
			}
			String text = clean(message.path("text").asString(""), MAX_TEXT);
			if (this.broadcast == null) {
				return answer(response, event("message", name, text));
			}
			return everyone(event("message", name, text)).then(response.status(204).send());
		});
	}

	private Mono<Void> left(HttpServerRequest request, HttpServerResponse response) {
		String name = this.names.remove(request.requestHeaders().get("X-WsGate-Connection-Id", "-"));
		Mono<Void> told = (name != null) ? everyone(event("left", name, null)) : Mono.empty();
		return request.receive().then().then(told).then(response.status(204).send());
	}

	private Mono<Void> everyone(String event) {
		return (this.broadcast != null) ? this.broadcast.apply(event).onErrorResume(ex -> Mono.empty()) : Mono.empty();
	}

	private static Mono<JsonNode> body(HttpServerRequest request) {
		return request.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("{}").map(text -> {
			try {
				return JSON.readTree(text);
			}
			catch (JacksonException ex) {
				return JSON.createObjectNode();
			}
		});
	}

	private static Mono<Void> answer(HttpServerResponse response, String event) {
		return response.header("Content-Type", "application/json").sendString(Mono.just(event)).then();
	}

	private static String event(String type, @Nullable String name, @Nullable String text) {
		ObjectNode event = JSON.createObjectNode().put("type", type);
		if (name != null) {
			event.put("name", name);
		}
		if (text != null) {
			event.put("text", text);
		}
		return JSON.writeValueAsString(event);
	}

	private static String clean(String text, int max) {
		String trimmed = text.strip();
		return (trimmed.length() > max) ? trimmed.substring(0, max) : trimmed;
	}

}
