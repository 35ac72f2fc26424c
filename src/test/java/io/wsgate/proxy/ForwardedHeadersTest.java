package io.wsgate.proxy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.TestPropertySource;

import io.wsgate.support.EchoBackend;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend's handshake goes through Spring Cloud Gateway's {@link HttpHeadersFilter} beans,
 * as its HTTP routes do: {@code X-Forwarded-*} and {@code Forwarded} only from trusted proxies
 * ({@code trusted-proxies}: 127.0.0.1 here; the clients at 127.0.0.5 are not), and the
 * application's own filters.
 */
@TestPropertySource(properties = "spring.cloud.gateway.server.webflux.trusted-proxies=127\\.0\\.0\\.1")
@Import(ForwardedHeadersTest.OwnHeaderFilter.class)
class ForwardedHeadersTest extends GatewayTest {

	@Test
	void fromATrustedProxyTheForwardingHeadersAreExtendedAsForHttpRoutes() throws Exception {
		var seen = headersSeenByBackend("127.0.0.1", Map.of("X-Forwarded-For", "203.0.113.7", "Host", "chat.example"));
		// Spring Cloud Gateway 5.0.3 keeps only the trusted hops of the list; the peer is appended
		assertThat(seen.get("X-Forwarded-For")).endsWith("127.0.0.1");
		assertThat(seen.get("X-Forwarded-Host")).isEqualTo("chat.example");
		assertThat(seen.get("X-Forwarded-Proto")).isEqualTo("http");
		assertThat(seen.get("X-Forwarded-Port")).as("the port of the Host the client asked for").isEqualTo("80");
		assertThat(seen.get("Forwarded")).contains("for=\"127.0.0.1").contains("proto=http").contains("host=chat.example");
		assertThat(seen.get("Host")).isEqualTo("127.0.0.1:" + echo.port());
	}

	@Test
	void fromAnUntrustedPeerWhatItClaimsNeverReachesTheBackend() throws Exception {
		var seen = headersSeenByBackend("127.0.0.5",
				Map.of("X-Forwarded-For", "198.51.100.66", "Forwarded", "for=198.51.100.66", "X-Forwarded-Host", "evil"));
		assertThat(seen.contains("X-Forwarded-Host")).isFalse();
		assertThat(seen.getAll("X-Forwarded-For")).noneMatch(value -> value.contains("198.51.100.66"));
		assertThat(seen.getAll("Forwarded")).noneMatch(value -> value.contains("198.51.100.66"));
	}

	@Test
	void theApplicationsOwnHeaderFiltersRunOnWebSocketRoutes() throws Exception {
		var seen = headersSeenByBackend("127.0.0.1", Map.of("X-Internal", "secret-from-client"));
		assertThat(seen.get("X-Header-Filter")).isEqualTo("ran");
		assertThat(seen.contains("X-Internal")).isFalse();
		// and the handshake's own headers are the gateway's, whatever a filter does
		assertThat(seen.get("Upgrade")).isEqualToIgnoringCase("websocket");
		assertThat(seen.get("Sec-WebSocket-Version")).isEqualTo("13");
	}

	private io.netty.handler.codec.http.HttpHeaders headersSeenByBackend(String from, Map<String, String> headers)
			throws Exception {
		String id = newId();
		try (RawWebSocket ws = RawWebSocket.connectFrom(from, this.port, "/echo/forwarded?id=" + id, headers)) {
			assertThat(ws.status()).isEqualTo(101);
			EchoBackend.Record record = echo.record(id);
			ws.sendClose(1000, "");
			ws.readUntilClose();
			return record.headers();
		}
	}

	/** An application's header filter: adds one header, drops another. */
	@TestConfiguration(proxyBeanMethods = false)
	static class OwnHeaderFilter {

		@Bean
		HttpHeadersFilter ownHeaderFilter() {
			return (input, exchange) -> {
				HttpHeaders filtered = new HttpHeaders();
				filtered.addAll(input);
				filtered.remove("X-Internal");
				filtered.set("X-Header-Filter", "ran");
				return filtered;
			};
		}

	}

}
