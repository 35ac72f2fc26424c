package io.wsgate.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.Certificates;
import io.wsgate.support.HeadlessChrome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seed 002: a page served over https by the gateway (TLS terminated with a self-signed
 * certificate made with keytool) opens {@code wss://} through it and echoes; Chromium is started
 * with {@code --ignore-certificate-errors}, for this test only, to accept the certificate.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=true", "wsgate.routes.store=memory" })
class SeedTlsBrowserTest {

	private static HeadlessChrome chrome;

	private static final Path serverKeys;

	static {
		try {
			serverKeys = Certificates.selfSigned(Files.createTempDirectory("wsgate-seed-tls-").resolve("server.p12"),
					"server");
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void tls(DynamicPropertyRegistry registry) {
		String server = "spring.ssl.bundle.jks.server.";
		registry.add(server + "keystore.location", () -> "file:" + serverKeys);
		registry.add(server + "keystore.password", () -> Certificates.PASSWORD);
		registry.add(server + "keystore.type", () -> "PKCS12");
		registry.add("server.ssl.bundle", () -> "server");
	}

	@BeforeAll
	static void startChrome() throws Exception {
		chrome = HeadlessChrome.start(Duration.ofSeconds(30), List.of("--ignore-certificate-errors"));
	}

	@AfterAll
	static void stopChrome() throws Exception {
		if (chrome != null) {
			chrome.close();
		}
		Files.deleteIfExists(serverKeys);
		Files.deleteIfExists(serverKeys.getParent());
	}

	@Test
	void seed002AnHttpsPageEchoesOverWssThroughTlsTermination() throws Exception {
		try (HeadlessChrome.Page page = chrome.openPage("https://localhost:" + this.port + "/")) {
			SeedScenarioBrowserTest.awaitText(page,
					"location.protocol + ' ' + (document.getElementById('status') && document.getElementById('status').textContent)",
					"https: open"); // the demo page's own wss:// /updates
			JsonNode result = page.evaluate("""
					(async () => {
					  const ws = new WebSocket('wss://' + location.host + '/echo');
					  const timer = new Promise((_, reject) => setTimeout(() => reject(new Error('no echo within 5000 ms')), 5000));
					  const echoed = new Promise((resolve, reject) => {
					    ws.onopen = () => ws.send('hello over wss');
					    ws.onmessage = e => { ws.close(1000); resolve(e.data); };
					    ws.onerror = () => reject(new Error('WebSocket error'));
					  });
					  const text = await Promise.race([echoed, timer]);
					  const close = await Promise.race([new Promise(resolve => ws.onclose = e => resolve(e)), timer]);
					  return { url: ws.url, text, code: close.code, wasClean: close.wasClean };
					})()""", Duration.ofSeconds(15));
			assertThat(result.path("url").asString()).isEqualTo("wss://localhost:" + this.port + "/echo");
			assertThat(result.path("text").asString()).isEqualTo("hello over wss");
			assertThat(result.path("code").asInt()).isEqualTo(1000);
			assertThat(result.path("wasClean").asBoolean()).isTrue();
		}
	}

}
