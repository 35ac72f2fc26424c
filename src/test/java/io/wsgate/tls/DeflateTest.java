package io.wsgate.tls;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Deflater;

import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.NodeClients;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate, negotiated by the gateway with each side on its own: a compressing
 * client (Reactor Netty's, and the ws package's) before a plain backend, a plain client before a
 * compressing backend, both, and a
 * small compressed message that would inflate past the limit (closed with 1009). Routes:
 * {@code /deflate} (plain echo backend), {@code /deflate-backend} (a Reactor Netty echo backend
 * that compresses), {@code /deflate-small} (plain backend, 1KB limit); all with
 * {@code metadata.compression: true}.
 */
class DeflateTest extends GatewayTest {

	private static final JsonMapper json = JsonMapper.builder().build();

	static final AtomicReference<String> backendOffer = new AtomicReference<>();

	static final DisposableServer compressingBackend = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.handle((request, response) -> {
			backendOffer.set(request.requestHeaders().get("Sec-WebSocket-Extensions"));
			return response.sendWebsocket(
					(in, out) -> out.sendObject(in.receiveFrames().map(WebSocketFrame::retain)).then(),
					WebsocketServerSpec.builder().compress(true).build());
		})
		.bindNow(Duration.ofSeconds(10));

	static final String TEXT = "the same words again and again, ".repeat(300); // ~9.6 KB, compresses well

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		route(registry, 16, "deflate", "ws://127.0.0.1:" + echo.port(), "/deflate/**", null);
		route(registry, 17, "deflate-backend", "ws://127.0.0.1:" + compressingBackend.port(), "/deflate-backend/**",
				null);
		route(registry, 18, "deflate-small", "ws://127.0.0.1:" + echo.port(), "/deflate-small/**",
				"MaxMessageSize=1KB");
	}

	private static void route(DynamicPropertyRegistry registry, int index, String id, String uri, String path,
			String filter) {
		Routes.route(registry, index, id, uri, path);
		Routes.set(registry, index, "metadata.compression", "true");
		if (filter != null) {
			Routes.set(registry, index, "filters[0]", filter);
		}
	}

	@AfterAll
	static void stopBackend() {
		compressingBackend.disposeNow(Duration.ofSeconds(5));
	}

	@Test
	void aCompressingClientBeforeAPlainBackend() {
		Echo echo = echoWithCompressingClient("/deflate/x");
		assertThat(echo.extension()).startsWith("permessage-deflate");
		assertThat(echo.text()).isEqualTo(TEXT);
	}

	@Test
	void aPlainClientBeforeACompressingBackend() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/deflate-backend/x")) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-extensions")).isNull();
			assertThat(backendOffer.get()).startsWith("permessage-deflate");
			ws.sendText(TEXT);
			Frame frame = ws.readFrame();
			assertThat((frame.payload().length > 0) && frame.fin()).isTrue();
			assertThat(frame.text()).isEqualTo(TEXT);
			ws.sendClose(1000, "");
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void compressionOnBothSides() {
		Echo echo = echoWithCompressingClient("/deflate-backend/x");
		assertThat(echo.extension()).startsWith("permessage-deflate");
		assertThat(echo.text()).isEqualTo(TEXT);
	}

	@Test
	void aSmallFrameThatInflatesPastTheLimitIsClosedWith1009() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/deflate-small/x",
				Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"))) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-extensions")).startsWith("permessage-deflate");
			byte[] bomb = deflate(new byte[1 << 20]); // 1 MiB of zeros in about a kilobyte
			assertThat(bomb.length).isLessThan(1100);
			ws.send(true, 0x40 | Frame.TEXT, bomb);
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
		}
	}

	@Test
	void aCompressedFrameFromAClientThatDidNotNegotiateIsAProtocolError() throws Exception {
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/deflate/x")) {
			assertThat(ws.status()).isEqualTo(101);
			assertThat(ws.header("sec-websocket-extensions")).isNull();
			ws.send(true, 0x40 | Frame.TEXT, deflate("hi".getBytes()));
			assertThat(ws.readUntilClose().closeCode()).isEqualTo(1002);
		}
	}

	@Test
	void theWsPackageCompressesThroughTheGatewayToAPlainAndToACompressingBackend() throws Exception {
		for (String path : new String[] { "/deflate/ws", "/deflate-backend/ws" }) {
			JsonNode result = json.readTree(NodeClients.run("deflate-client.mjs", "ws://127.0.0.1:" + this.port + path));
			assertThat(result.path("negotiated").asString()).as("%s: %s", path, result).isEqualTo("permessage-deflate");
			assertThat(result.path("ok").asBoolean()).as("%s: %s", path, result).isTrue();
			assertThat(result.path("closeCode").asInt()).isEqualTo(1000);
		}
	}

	private Echo echoWithCompressingClient(String path) {
		AtomicReference<String> extension = new AtomicReference<>();
		String text = HttpClient.create()
			.doOnResponse((response, connection) -> extension
				.set(response.responseHeaders().get("Sec-WebSocket-Extensions")))
			.websocket(WebsocketClientSpec.builder().compress(true).maxFramePayloadLength(1 << 20).build())
			.uri("ws://127.0.0.1:" + this.port + path)
			.handle((in, out) -> out.sendString(Mono.just(TEXT))
				.then()
				.thenMany(in.aggregateFrames(1 << 20).receive().asString().next().flatMap(reply -> out.sendClose()
					.thenReturn(reply))))
			.next()
			.block(Duration.ofSeconds(10));
		return new Echo(extension.get(), text);
	}

	private static byte[] deflate(byte[] data) {
		Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
		deflater.setInput(data);
		byte[] out = new byte[data.length + 64];
		int size = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
		deflater.end();
		return Arrays.copyOf(out, size - 4); // without the 00 00 ff ff tail
	}

	private record Echo(String extension, String text) {
	}

}
