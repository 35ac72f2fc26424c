package io.wsgate.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The demo profile: what `./mvnw spring-boot:run` serves with nothing else running. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("demo")
class DemoTest {

	@LocalServerPort
	int port;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	@Test
	void echoRouteEchoesAndClosesOnRequest() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo")) {
			assertThat(ws.status()).isEqualTo(101);
			ws.sendText("hello demo");
			assertThat(ws.readFrame().text()).isEqualTo("hello demo");
			ws.sendText("close:4321:test");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4321);
			assertThat(close.closeReason()).isEqualTo("test");
			ws.sendClose(4321, "test");
		}
	}

	@Test
	void apiPublishesToEveryUpdatesClient() throws Exception {
		try (RawWebSocket first = RawWebSocket.connect(this.port, "/updates");
				RawWebSocket second = RawWebSocket.connect(this.port, "/updates")) {
			assertThat(first.status()).isEqualTo(101);
			assertThat(second.status()).isEqualTo(101);
			HttpResponse<String> answer = awaitSubscribers(2);
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(first.readFrame().text()).isEqualTo("{\"id\":8,\"value\":300}");
			assertThat(second.readFrame().text()).isEqualTo("{\"id\":8,\"value\":300}");
			first.sendClose(1000, "");
			second.sendClose(1000, "");
		}
	}

	/** Publishes until the backend reports both subscribers (their subscriptions start just after the 101). */
	private HttpResponse<String> awaitSubscribers(int count) {
		return await("updates clients subscribed").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> get("/api?id=8&value=300"), answer -> answer.body().startsWith("{\"sent\":" + count));
	}

	@Test
	void apiRejectsValuesThatAreNotIntegers() throws Exception {
		HttpResponse<String> answer = get("/api?id=8&value=lots");
		assertThat(answer.statusCode()).isEqualTo(400);
		assertThat(answer.body()).contains("id and value must be integers");
	}

	@Test
	void pageAtRootConnectsToUpdates() throws Exception {
		HttpResponse<String> page = get("/");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
		assertThat(page.body()).contains("new WebSocket(").contains("/updates");
	}

	@Test
	void healthIsOpenAndOtherActuatorEndpointsNeedCredentials() throws Exception {
		assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(get("/actuator/metrics").statusCode()).isEqualTo(401);
	}

	@Test
	void strictFirewallGuardsTheManagementPlaneButNotRoutes() throws Exception {
		assertThat(get("/actuator/health;x=1").statusCode()).isEqualTo(400); // refused by the firewall
		// proxied as it came: the demo backend itself answers that it has no such path
		assertThat(get("/api;x=1?id=1&value=2").statusCode()).isEqualTo(404);
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.timeout(Duration.ofSeconds(5))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
