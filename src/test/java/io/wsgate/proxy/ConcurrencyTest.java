package io.wsgate.proxy;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.test.context.TestPropertySource;

import io.wsgate.support.GatewayTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many connections at once: nothing lost, nothing reordered, nothing mixed up between them.
 * The backend shares this JVM (and its paranoid leak detection) with 500 clients, so on a
 * loaded 2-core machine some upgrades take longer than the default 10 s connect timeout; how
 * fast they are is the benchmarks' business, not this test's.
 */
@TestPropertySource(properties = "wsgate.websocket.connect-timeout=60s")
class ConcurrencyTest extends GatewayTest {

	private static final int CONNECTIONS = 500;

	private static final int MESSAGES = 100;

	@Test
	void fiveHundredConnectionsTimesAHundredEchoesArriveCompleteAndInOrder() {
		HttpClient client = HttpClient.create(ConnectionProvider.newConnection());
		List<Boolean> results = Flux.range(0, CONNECTIONS)
			.flatMap(connection -> conversation(client, connection), CONNECTIONS)
			.collectList()
			.block(Duration.ofSeconds(60));
		assertThat(results).hasSize(CONNECTIONS).containsOnly(true);
	}

	private Mono<Boolean> conversation(HttpClient client, int connection) {
		List<String> expected = IntStream.range(0, MESSAGES)
			.mapToObj(i -> connection + ":" + i)
			.collect(Collectors.toList());
		return client.websocket()
			.uri("ws://127.0.0.1:" + this.port + "/echo/many")
			.handle((in, out) -> {
				Mono<List<String>> received = in.receive().asString().take(MESSAGES).collectList();
				Mono<Void> sent = out.sendString(Flux.fromIterable(expected)).then();
				return sent.then(received)
					.flatMap(list -> out.sendClose(1000, "done").thenReturn(list.equals(expected)));
			})
			.next();
	}

}
