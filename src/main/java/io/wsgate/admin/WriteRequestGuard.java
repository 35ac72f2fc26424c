package io.wsgate.admin;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Cross-site request forgery on the management plane: a page an administrator visits could
 * make the browser send a form (or a {@code fetch} without CORS) to the actuator with the
 * Basic credentials it has cached. Every write ({@code POST}, {@code PUT}, {@code PATCH},
 * {@code DELETE}) must therefore say {@code Content-Type: application/json} or carry an
 * {@code X-Requested-By} header (any value): a browser sends neither cross-site without a CORS
 * preflight, which the actuator does not answer. Other writes get 403 with the reason.
 */
final class WriteRequestGuard implements WebFilter {

	/** The header a body-less write carries, e.g. {@code curl -H 'X-Requested-By: ops'}. */
	static final String HEADER = "X-Requested-By";

	private static final Logger log = LoggerFactory.getLogger(WriteRequestGuard.class);

	private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
			HttpMethod.TRACE);

	private static final String REFUSAL = "{\"status\":403,\"error\":\"a write to the management endpoints needs "
			+ "Content-Type: application/json or an " + HEADER + " header (against cross-site request forgery)\"}";

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (READS.contains(request.getMethod()) || isDeliberate(request.getHeaders())) {
			return chain.filter(exchange);
		}
		InetSocketAddress client = request.getRemoteAddress();
		log.warn("management write refused (no JSON content type, no {} header; cross-site request forgery?): "
				+ "{} {} from {}", HEADER, request.getMethod(), request.getPath(),
				(client != null && client.getAddress() != null) ? client.getAddress().getHostAddress() : "-");
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(HttpStatus.FORBIDDEN);
		response.getHeaders().setContentType(MediaType.APPLICATION_JSON);
		DataBuffer body = response.bufferFactory().wrap(REFUSAL.getBytes(StandardCharsets.UTF_8));
		return response.writeWith(Mono.just(body));
	}

	private static boolean isDeliberate(HttpHeaders headers) {
		String marker = headers.getFirst(HEADER);
		if (marker != null && !marker.isBlank()) {
			return true;
		}
		MediaType type;
		try {
			type = headers.getContentType();
		}
		catch (RuntimeException ex) {
			return false;
		}
		return type != null && (MediaType.APPLICATION_JSON.isCompatibleWith(type)
				|| "json".equals(type.getSubtypeSuffix()) && "application".equals(type.getType()));
	}

}
