package io.wsgate.admin;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.wsgate.cluster.ClusterUnavailableException;
import io.wsgate.cluster.Connections;

/**
 * The messages of the connections API, which an actuator operation cannot take (its bodies
 * are JSON objects): the request body, as it came, becomes one WebSocket message.
 * <ul>
 * <li>{@code POST /actuator/wssessions/{id}/messages}: to that connection's client, on
 * whichever replica holds it; 202 once written to its socket;</li>
 * <li>{@code POST /actuator/wssessions/messages?route=&principal=}: to every open connection
 * that matches (one filter at least); 200 with how many were reached.</li>
 * </ul>
 * A textual {@code Content-Type} ({@code text/*}, JSON, XML, ...) makes a text message (a
 * charset other than UTF-8 is transcoded), any other or none a binary one. Bodies over
 * {@code wsgate.connections.max-push-size} get 413.
 */
final class ConnectionsApi {

	private static final Logger log = LoggerFactory.getLogger(ConnectionsApi.class);

	/** What a refusal for an unavailable cluster suggests (Redis restarts and fails over in seconds). */
	static final String RETRY_AFTER_SECONDS = RouteApiErrors.RETRY_AFTER_SECONDS;

	/** Subtypes of {@code application/} that are text. */
	private static final Set<String> TEXT_APPLICATION = Set.of("json", "xml", "javascript", "x-ndjson", "yaml",
			"x-yaml", "x-www-form-urlencoded", "graphql", "sql");

	private final Connections connections;

	private final long maxPushSize;

	ConnectionsApi(Connections connections, long maxPushSize) {
		this.connections = connections;
		this.maxPushSize = maxPushSize;
	}

	Mono<ServerResponse> send(ServerRequest request) {
		String id = request.pathVariable("id");
		return message(request).flatMap(message -> user(request)
			.flatMap(user -> this.connections.send(id, message.text(), message.payload(), user)))
			.flatMap(result -> switch (result.outcome()) {
				case DONE -> json(HttpStatus.ACCEPTED, Map.of("id", id, "replica", String.valueOf(result.replica())));
				case NOT_FOUND -> result.unanswered().isEmpty() ? problem(HttpStatus.NOT_FOUND, result.message())
						: unanswered(id, result.unanswered());
				case TOO_BIG, INVALID_TEXT -> problem(HttpStatus.BAD_REQUEST, result.message());
				case CLOSING -> problem(HttpStatus.CONFLICT, result.message());
				case BUSY -> ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS)
					.header(HttpHeaders.RETRY_AFTER, "1")
					.contentType(MediaType.APPLICATION_JSON)
					.bodyValue(body(HttpStatus.TOO_MANY_REQUESTS, result.message()));
				case TIMED_OUT -> problem(HttpStatus.GATEWAY_TIMEOUT, result.message());
			})
			.onErrorResume(Refusal.class, ex -> problem(ex.status, ex.getMessage()))
			.onErrorResume(ClusterUnavailableException.class, ConnectionsApi::unavailable);
	}

	Mono<ServerResponse> fanOut(ServerRequest request) {
		String route = request.queryParam("route").filter(value -> !value.isEmpty()).orElse(null);
		String principal = request.queryParam("principal").filter(value -> !value.isEmpty()).orElse(null);
		if (route == null && principal == null) {
			return problem(HttpStatus.BAD_REQUEST, "a fan-out needs route or principal (or both)");
		}
		return message(request).flatMap(message -> user(request).flatMap(user -> {
			log.debug("fan-out by {} to route={} principal={}: {} bytes", user, route, principal,
					message.payload().length);
			return this.connections.fanOut(route, principal, message.text(), message.payload(), user);
		}))
			.flatMap(fanOut -> {
				Map<String, Object> body = new LinkedHashMap<>();
				body.put("matched", fanOut.matched());
				body.put("reached", fanOut.reached());
				body.put("replicas", fanOut.replicas());
				body.put("unanswered", fanOut.unanswered());
				return json(HttpStatus.OK, body);
			})
			.onErrorResume(Refusal.class, ex -> problem(ex.status, ex.getMessage()))
			.onErrorResume(ClusterUnavailableException.class, ConnectionsApi::unavailable);
	}

	/** The body as one message: text or binary by its content type, at most {@code max-push-size}. */
	private Mono<Message> message(ServerRequest request) {
		MediaType type;
		try {
			type = request.headers().contentType().orElse(null);
		}
		catch (RuntimeException ex) {
			return Mono.error(new Refusal(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type does not parse"));
		}
		long declared = request.headers().contentLength().orElse(-1);
		if (declared > this.maxPushSize) {
			return Mono.error(tooLarge());
		}
		boolean text = isText(type);
		return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) this.maxPushSize)
			.map(ConnectionsApi::bytes)
			.defaultIfEmpty(new byte[0])
			.onErrorMap(DataBufferLimitException.class, ex -> tooLarge())
			.map(bytes -> new Message(text, text ? utf8(bytes, type) : bytes));
	}

	private Refusal tooLarge() {
		return new Refusal(HttpStatus.CONTENT_TOO_LARGE,
				"the message is over wsgate.connections.max-push-size (" + this.maxPushSize + " bytes)");
	}

	private static byte[] bytes(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	/** Whether a body of this type is text: {@code text/*}, JSON, XML and their {@code +json}, {@code +xml} kin. */
	static boolean isText(@Nullable MediaType type) {
		if (type == null) {
			return false;
		}
		if ("text".equals(type.getType())) {
			return true;
		}
		String suffix = type.getSubtypeSuffix();
		return "application".equals(type.getType())
				&& (TEXT_APPLICATION.contains(type.getSubtype()) || "json".equals(suffix) || "xml".equals(suffix));
	}

	/** A text body in UTF-8: as it is (checked by the relay), or transcoded from the charset it names. */
	private static byte[] utf8(byte[] bytes, @Nullable MediaType type) {
		Charset charset = (type != null) ? type.getCharset() : null;
		if (charset == null || charset.equals(StandardCharsets.UTF_8)) {
			return bytes;
		}
		try {
			return charset.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString()
				.getBytes(StandardCharsets.UTF_8);
		}
		catch (CharacterCodingException ex) {
			throw new Refusal(HttpStatus.BAD_REQUEST, "the body is not valid " + charset.name());
		}
	}

	private static Mono<String> user(ServerRequest request) {
		return request.principal().map(Principal::getName).defaultIfEmpty("-");
	}

	private static Mono<ServerResponse> unanswered(String id, List<String> unanswered) {
		Map<String, Object> body = body(HttpStatus.GATEWAY_TIMEOUT,
				"no session " + id + " on the replicas that answered; not known for " + unanswered);
		body.put("unanswered", unanswered);
		return json(HttpStatus.GATEWAY_TIMEOUT, body);
	}

	private static Mono<ServerResponse> unavailable(ClusterUnavailableException ex) {
		log.warn("connections API: {}", ex.getMessage());
		return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
			.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage()));
	}

	private static Mono<ServerResponse> problem(HttpStatus status, String message) {
		return json(status, body(status, message));
	}

	private static Mono<ServerResponse> json(HttpStatus status, Object body) {
		return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
	}

	private static Map<String, Object> body(HttpStatus status, String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status.value());
		body.put("error", message);
		return body;
	}

	/** The body as a message. */
	private record Message(boolean text, byte[] payload) {
	}

	/** A request refused before it goes anywhere. */
	private static final class Refusal extends RuntimeException {

		private final HttpStatus status;

		Refusal(HttpStatus status, String message) {
			super(message, null, false, false);
			this.status = status;
		}

	}

}
