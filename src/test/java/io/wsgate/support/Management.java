package io.wsgate.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.BooleanSupplier;

import org.awaitility.core.ConditionTimeoutException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.awaitility.Awaitility.await;

/**
 * HTTP calls to a gateway's actuator endpoints as one management user (or none), with the
 * JDK client.
 */
public final class Management {

	public static final JsonMapper json = JsonMapper.builder().build();

	/**
	 * A client of each {@code Management}'s own, so that two of them never share a kept-alive
	 * connection: Reactor Netty 1.3.6 (and 1.3.7) can stop reading a keep-alive connection whose
	 * next request arrives before the previous exchange has terminated, which the JDK client's
	 * separate head and body writes hit now and then (see docs/security.md, known limits).
	 */
	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final int port;

	private final @Nullable String authorization;

	/** Whether writes say they are deliberate ({@code X-Requested-By}), as every API client must. */
	private final boolean deliberate;

	private Management(int port, @Nullable String authorization) {
		this(port, authorization, true);
	}

	private Management(int port, @Nullable String authorization, boolean deliberate) {
		this.port = port;
		this.authorization = authorization;
		this.deliberate = deliberate;
	}

	/** The same user, with writes that carry no {@code X-Requested-By} header (as a forged cross-site form). */
	public Management withoutRequestedByHeader() {
		return new Management(this.port, this.authorization, false);
	}

	public static Management as(int port, String user, String password) {
		return new Management(port, "Basic "
				+ Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
	}

	public static Management anonymous(int port) {
		return new Management(port, null);
	}

	public HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return send("GET", path, null);
	}

	public HttpResponse<String> post(String path, @Nullable String jsonBody) throws IOException, InterruptedException {
		return send("POST", path, jsonBody);
	}

	public HttpResponse<String> delete(String path) throws IOException, InterruptedException {
		return send("DELETE", path, null);
	}

	public HttpResponse<String> send(String method, String path, @Nullable String jsonBody)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.method(method, (jsonBody != null) ? HttpRequest.BodyPublishers.ofString(jsonBody)
					: HttpRequest.BodyPublishers.noBody());
		if (jsonBody != null) {
			request.header("Content-Type", "application/json");
		}
		if (this.deliberate && !"GET".equals(method) && !"HEAD".equals(method)) {
			request.header("X-Requested-By", "wsgate-tests");
		}
		if (this.authorization != null) {
			request.header("Authorization", this.authorization);
		}
		return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * POSTs {@code body} as it is, with {@code contentType} (null: none) and
	 * {@code X-Requested-By}, as a backend pushes a message through the connections API.
	 */
	public HttpResponse<String> postBytes(String path, @Nullable String contentType, byte[] body)
			throws IOException, InterruptedException {
		return http.send(bytesRequest(path, contentType, body), HttpResponse.BodyHandlers.ofString());
	}

	/** The same, answered later. */
	public java.util.concurrent.CompletableFuture<HttpResponse<String>> postBytesAsync(String path,
			@Nullable String contentType, byte[] body) {
		return http.sendAsync(bytesRequest(path, contentType, body), HttpResponse.BodyHandlers.ofString());
	}

	private HttpRequest bytesRequest(String path, @Nullable String contentType, byte[] body) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(20))
			.POST(HttpRequest.BodyPublishers.ofByteArray(body));
		if (contentType != null) {
			request.header("Content-Type", contentType);
		}
		if (this.deliberate) {
			request.header("X-Requested-By", "wsgate-tests");
		}
		if (this.authorization != null) {
			request.header("Authorization", this.authorization);
		}
		return request.build();
	}

	/** The body of a GET that must succeed, as JSON. */
	public JsonNode getJson(String path) throws IOException, InterruptedException {
		HttpResponse<String> response = get(path);
		if (response.statusCode() != 200) {
			throw new AssertionError("GET " + path + ": " + response.statusCode() + " " + response.body());
		}
		return json.readTree(response.body());
	}

	/**
	 * Whether {@code condition} holds within {@code within}, polled by Awaitility (for the tests
	 * that assert on the answer, such as "still refused after a while").
	 */
	public static boolean eventually(Duration within, BooleanSupplier condition) {
		try {
			await().atMost(within).pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
			return true;
		}
		catch (ConditionTimeoutException ex) {
			return false;
		}
	}

}
