package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With tracing on, an upgrade is a span that continues the client's trace, its backend
 * handshake a child span whose context reaches the backend in {@code traceparent}. Spans go to
 * an in-process OpenTelemetry exporter (no collector).
 */
@TestPropertySource(properties = { "management.tracing.export.enabled=true",
		"management.tracing.sampling.probability=1.0",
		"management.opentelemetry.tracing.export.schedule-delay=50ms" })
@Import(TracingTest.Spans.class)
class TracingTest extends GatewayTest {

	private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

	private static final String CLIENT_SPAN = "00f067aa0ba902b7";

	@Autowired
	InMemorySpanExporter spans;

	@BeforeEach
	void clearSpans() {
		this.spans.reset();
	}

	@Test
	void theUpgradeContinuesTheClientsTraceAndTheBackendGetsItsHandshakesSpan() throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/echo/traced?id=" + id,
				Map.of("traceparent", "00-" + TRACE_ID + "-" + CLIENT_SPAN + "-01"))) {
			assertThat(ws.status()).isEqualTo(101);
			String traceparent = echo.record(id).headers().get("traceparent");
			ws.sendClose(1000, "");
			ws.readUntilClose();

			SpanData upgrade = span(UpgradeObservation.UPGRADE);
			SpanData backend = span(UpgradeObservation.BACKEND);
			assertThat(upgrade.getTraceId()).isEqualTo(TRACE_ID);
			assertThat(upgrade.getParentSpanId()).isEqualTo(CLIENT_SPAN);
			assertThat(upgrade.getKind()).isEqualTo(SpanKind.SERVER);
			assertThat(upgrade.getName()).isEqualTo("websocket upgrade");
			assertThat(upgrade.getAttributes().get(AttributeKey.stringKey("routeId"))).isEqualTo("echo");
			assertThat(upgrade.getAttributes().get(AttributeKey.stringKey("status"))).isEqualTo("101");
			assertThat(upgrade.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("upgraded");

			assertThat(backend.getTraceId()).isEqualTo(TRACE_ID);
			assertThat(backend.getParentSpanId()).isEqualTo(upgrade.getSpanId());
			assertThat(backend.getKind()).isEqualTo(SpanKind.CLIENT);
			// the backend saw the trace, as a child of the gateway's handshake span
			assertThat(traceparent).isEqualTo("00-" + TRACE_ID + "-" + backend.getSpanId() + "-01");
		}
	}

	@Test
	void aFailedBackendHandshakeIsASpanWithTheErrorAndTheClientsStatus() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/down", Map.of())) {
			assertThat(ws.status()).isEqualTo(502);
		}
		SpanData upgrade = span(UpgradeObservation.UPGRADE);
		SpanData backend = span(UpgradeObservation.BACKEND);
		assertThat(upgrade.getAttributes().get(AttributeKey.stringKey("status"))).isEqualTo("502");
		assertThat(upgrade.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("failed");
		assertThat(backend.getParentSpanId()).isEqualTo(upgrade.getSpanId());
		assertThat(backend.getStatus().getStatusCode()).isEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
		assertThat(backend.getEvents()).anyMatch(event -> event.getName().equals("exception"));
	}

	@Test
	void aRefusalOfTheBackendIsNoErrorButItsStatus() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/raw/refuse?id=" + newId(), Map.of())) {
			assertThat(ws.status()).isEqualTo(403);
		}
		SpanData backend = span(UpgradeObservation.BACKEND);
		assertThat(backend.getAttributes().get(AttributeKey.stringKey("status"))).isEqualTo("403");
		assertThat(backend.getAttributes().get(AttributeKey.stringKey("outcome"))).isEqualTo("refused");
		assertThat(backend.getStatus().getStatusCode()).isNotEqualTo(io.opentelemetry.api.trace.StatusCode.ERROR);
	}

	/** The one exported span of this observation (exports are batched: waits for it). */
	private SpanData span(String observation) {
		await().atMost(Duration.ofSeconds(10)).until(() -> find(observation).size() == 1);
		return find(observation).get(0);
	}

	private List<SpanData> find(String observation) {
		String name = observation.equals(UpgradeObservation.UPGRADE) ? "websocket upgrade"
				: "websocket backend handshake";
		return this.spans.getFinishedSpanItems().stream().filter(span -> span.getName().equals(name)).toList();
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class Spans {

		@Bean
		InMemorySpanExporter inMemorySpanExporter() {
			return InMemorySpanExporter.create();
		}

	}

}
