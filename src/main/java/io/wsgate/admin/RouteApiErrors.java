package io.wsgate.admin;

import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.actuate.AbstractGatewayControllerEndpoint;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

/**
 * Answers the actuator route API's refusals with their reason, as RFC 9457 problem details
 * ({@code application/problem+json}: {@code type}, {@code title}, {@code status},
 * {@code detail}, {@code instance}), where Spring's default error answer would leave the reason
 * out. The reason is also in {@code error}, the member wsgate's other endpoints answer with.
 */
@RestControllerAdvice(assignableTypes = AbstractGatewayControllerEndpoint.class)
class RouteApiErrors {

	private static final Logger log = LoggerFactory.getLogger(RouteApiErrors.class);

	/** What a refusal for an unavailable route store suggests: Redis restarts and fails over in seconds. */
	static final String RETRY_AFTER_SECONDS = "5";

	@ExceptionHandler
	ResponseEntity<Map<String, Object>> invalidRoute(InvalidRouteException ex, ServerWebExchange exchange) {
		// logged by the repository, with the user
		return answer(HttpStatus.BAD_REQUEST, ex.getMessage(), exchange);
	}

	@ExceptionHandler
	Mono<ResponseEntity<Map<String, Object>>> refused(ResponseStatusException ex, ServerWebExchange exchange) {
		String reason = (ex.getReason() != null) ? ex.getReason() : ex.getStatusCode().toString();
		if (ex instanceof ServerWebInputException && ex.getCause() != null) {
			// the body is no route definition (not JSON, a URI that does not parse, ...)
			reason = reason + ": " + NestedExceptionUtils.getMostSpecificCause(ex).getMessage();
		}
		String message = reason;
		return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("-").map(user -> {
			if (ex.getStatusCode().is4xxClientError()) {
				log.warn("route API request refused (by {}): {} {}: {}", user, exchange.getRequest().getMethod(),
						exchange.getRequest().getPath(), message);
			}
			return answer(ex.getStatusCode(), message, exchange);
		});
	}

	/**
	 * A change the store could not make (Redis unreachable, the file not writable): 503 with
	 * {@code Retry-After}, at once, and nothing changed (the repository changes the routes served
	 * only after the store has them). Logged at WARN with the store's message, which names the
	 * store and the kind of failure, never credentials.
	 */
	@ExceptionHandler
	Mono<ResponseEntity<Map<String, Object>>> storeUnavailable(RouteStoreException ex, ServerWebExchange exchange) {
		return exchange.getPrincipal().map(Principal::getName).defaultIfEmpty("-").map(user -> {
			log.warn("route API request failed (by {}): {} {}: {}", user, exchange.getRequest().getMethod(),
					exchange.getRequest().getPath(), ex.getMessage());
			return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
				.contentType(MediaType.APPLICATION_PROBLEM_JSON)
				.header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
				.body(problem(HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), exchange));
		});
	}

	private static ResponseEntity<Map<String, Object>> answer(HttpStatusCode status, String message,
			ServerWebExchange exchange) {
		return ResponseEntity.status(status)
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.body(problem(status, message, exchange));
	}

	/** An RFC 9457 problem: no problem type of its own ({@code about:blank}), so the title is the status's. */
	static Map<String, Object> problem(HttpStatusCode status, String message, ServerWebExchange exchange) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "about:blank");
		HttpStatus known = HttpStatus.resolve(status.value());
		body.put("title", (known != null) ? known.getReasonPhrase() : String.valueOf(status.value()));
		body.put("status", status.value());
		body.put("detail", message);
		body.put("instance", exchange.getRequest().getPath().value());
		body.put("error", message);
		return body;
	}

}
