package io.wsgate.demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.wsgate.support.HeadlessChrome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed scenarios, in a real headless Chromium against the embedded demo (what
 * {@code docker compose up} and {@code ./mvnw spring-boot:run} serve): seed 000, four windows
 * on the demo page see a value published with one {@code GET /api}; seed 001, a backend's close
 * with 4321 "test" reaches the browser as it was and clean, 20 times out of 20 (as
 * {@code ChromeCloseTest} checks with its own echo backend). Seed 002, {@code wss://}, is
 * {@link SeedTlsBrowserTest}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=true", "wsgate.routes.store=memory" })
class SeedScenarioBrowserTest {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static HeadlessChrome chrome;

	@LocalServerPort
	int port;

	@BeforeAll
	static void startChrome() throws Exception {
		chrome = HeadlessChrome.start(Duration.ofSeconds(30));
	}

	@AfterAll
	static void stopChrome() {
		if (chrome != null) {
			chrome.close();
		}
	}

	@Test
	void seed000FourWindowsShowTheValueOneApiCallPublishes() throws Exception {
		List<HeadlessChrome.Page> pages = new ArrayList<>();
		try {
			for (int i = 0; i < 4; i++) {
				pages.add(chrome.openPage("http://127.0.0.1:" + this.port + "/"));
			}
			for (HeadlessChrome.Page page : pages) {
				awaitText(page, "document.getElementById('status') && document.getElementById('status').textContent",
						"open");
			}
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
			HttpRequest publish = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.port + "/api?id=8&value=300"))
				.timeout(Duration.ofSeconds(5))
				.build();
			String answer = http.send(publish, HttpResponse.BodyHandlers.ofString()).body();
			for (int i = 0; i < 50 && !answer.startsWith("{\"sent\":4,"); i++) {
				// "open" comes with the 101; the backend counts a subscriber just after it: publish again
				Thread.sleep(100);
				answer = http.send(publish, HttpResponse.BodyHandlers.ofString()).body();
			}
			assertThat(answer).isEqualTo("{\"sent\":4,\"message\":{\"id\":8,\"value\":300}}");
			for (HeadlessChrome.Page page : pages) {
				awaitText(page, """
						[...document.querySelectorAll('#values tr')]
						  .map(row => row.cells[0].textContent + '=' + row.cells[1].textContent).join(',')""", "8=300");
			}
		}
		finally {
			pages.forEach(HeadlessChrome.Page::close);
		}
	}

	@Test
	void seed001ABackendCloseWith4321TestReachesChromeCleanTwentyTimesOutOfTwenty() {
		try (HeadlessChrome.Page page = chrome.openPage()) {
			JsonNode closes = page.evaluate("""
					(async () => {
					  const closes = [];
					  for (let i = 0; i < 20; i++) {
					    closes.push(await new Promise((resolve, reject) => {
					      const ws = new WebSocket(%s);
					      const timer = setTimeout(() => reject(new Error('no close within 5000 ms')), 5000);
					      ws.onopen = () => ws.send('close:4321:test');
					      ws.onclose = e => { clearTimeout(timer); resolve({ code: e.code, reason: e.reason, wasClean: e.wasClean }); };
					    }));
					  }
					  return closes;
					})()""".formatted("'ws://127.0.0.1:" + this.port + "/echo'"), Duration.ofSeconds(60));
			assertThat(closes.size()).isEqualTo(20);
			closes.forEach(close -> {
				assertThat(close.path("code").asInt()).isEqualTo(4321);
				assertThat(close.path("reason").asString()).isEqualTo("test");
				assertThat(close.path("wasClean").asBoolean()).isTrue();
			});
		}
	}

	/**
	 * The bridged chat ({@code /chat}): two windows join, and what one says reaches the other
	 * through the stateless chat service and the connections API's fan-out; a window that
	 * leaves is announced to the one that stays (the bridge's disconnect call).
	 */
	@Test
	void bridgedChatTwoWindowsSeeWhatTheOtherSays() throws Exception {
		try (HeadlessChrome.Page ann = chrome.openPage("http://127.0.0.1:" + this.port + "/chat?name=ann");
				HeadlessChrome.Page bob = chrome.openPage("http://127.0.0.1:" + this.port + "/chat?name=bob")) {
			String welcomed = "!!window.chat && window.chat.received.some(e => e.type === 'welcome')";
			awaitText(ann, welcomed, "true");
			awaitText(bob, welcomed, "true");
			ann.evaluate("say('hello from ann')", WAIT);
			String heard = "window.chat.received.filter(e => e.type === 'message').map(e => e.name + ': ' + e.text).join('|')";
			awaitText(bob, heard, "ann: hello from ann");
			awaitText(ann, heard, "ann: hello from ann");
			awaitText(bob, "[...document.querySelectorAll('#log li')].some(li => li.textContent === 'ann: hello from ann')",
					"true");
			ann.evaluate("window.chat.ws.close(1000, 'bye')", WAIT);
			awaitText(bob, "window.chat.received.some(e => e.type === 'left' && e.name === 'ann')", "true");
		}
	}

	/** Evaluates {@code expression} in the page until it gives {@code expected} (as text). */
	static void awaitText(HeadlessChrome.Page page, String expression, String expected) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		String seen = null;
		while (System.nanoTime() < deadline) {
			JsonNode value = page.evaluate("String(" + expression + ")", Duration.ofSeconds(5));
			seen = value.asString();
			if (expected.equals(seen)) {
				return;
			}
			Thread.sleep(50); // polled: the page updates its DOM when messages arrive
		}
		assertThat(seen).as("%s within %s", expression, WAIT).isEqualTo(expected);
	}

}
