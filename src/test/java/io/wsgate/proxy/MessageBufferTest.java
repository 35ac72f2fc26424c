package io.wsgate.proxy;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.metrics.BufferMetrics;
import io.wsgate.metrics.ConnectionMetrics;
import io.wsgate.support.EchoBackend;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.Routes;
import io.wsgate.support.WireIO;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Messages the gateway holds whole (FrameInspection, compression) are bounded: a buffer grows
 * from the bytes that arrived, never from a frame's declared length; all of them together stay
 * within {@code wsgate.websocket.message-buffer-budget} (over it, 1013); each within
 * {@code max-buffered-message} (over it, 1009); and a message must arrive within
 * {@code message-timeout} (else 1008). Reserved opcodes are refused with 1002 on every route.
 * Routes: {@code /inspect} (FrameInspection inbound), {@code /inspect-unlimited} (the same with
 * MaxMessageSize=-1), {@code /deflate} (compression), {@code /plain} (bytes relayed as they are).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "wsgate.demo.enabled=false", "spring.security.user.password=test-password",
				"wsgate.websocket.close-timeout=2s",
				"wsgate.websocket.max-buffered-message=64KB", "wsgate.websocket.message-buffer-budget=100KB",
				"wsgate.websocket.message-timeout=2s" })
class MessageBufferTest {

	static final EchoBackend echo = new EchoBackend();

	@LocalServerPort
	int port;

	@Autowired
	MessageBudget budget;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void routes(DynamicPropertyRegistry registry) {
		String echoUri = "ws://127.0.0.1:" + echo.port();
		Routes.route(registry, 0, "inspect", echoUri, "/inspect/**");
		Routes.filter(registry, 0, 0, "FrameInspection", Map.of("inbound[0].type", "max-size", "inbound[0].size", "1MB"));
		Routes.route(registry, 1, "inspect-unlimited", echoUri, "/inspect-unlimited/**");
		Routes.filter(registry, 1, 0, "MaxMessageSize", Map.of("size", "-1"));
		Routes.filter(registry, 1, 1, "FrameInspection", Map.of("inbound[0].type", "max-size", "inbound[0].size", "1MB"));
		Routes.route(registry, 2, "deflate", echoUri, "/deflate/**");
		Routes.set(registry, 2, "metadata.compression", "true");
		Routes.route(registry, 3, "plain", echoUri, "/plain/**");
	}

	@AfterAll
	static void stopBackend() {
		echo.close();
	}

	@Test
	void aFrameHeaderAloneAllocatesNothingAndABufferGrowsWithTheBytesThatArrive() throws Exception {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/inspect/x")) {
			assertThat(client.status()).isEqualTo(101);
			byte[] payload = random(60 * 1024);
			byte[] frame = binaryFrame(payload);
			int header = frame.length - payload.length;
			client.sendRaw(Arrays.copyOf(frame, header)); // announces 60 KB, sends none of it
			await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> this.budget.used() == 0);

			client.sendRaw(Arrays.copyOfRange(frame, header, header + 100));
			await().atMost(Duration.ofSeconds(5)).until(() -> this.budget.used() > 0);
			assertThat(this.budget.used()).as("held for 100 bytes that arrived").isLessThanOrEqualTo(1024);
			assertThat(gauge(BufferMetrics.BUFFERED)).isEqualTo(this.budget.used());
			assertThat(gauge(BufferMetrics.BUDGET)).isEqualTo(100 * 1024);

			client.sendRaw(Arrays.copyOfRange(frame, header + 100, frame.length));
			Frame echoed = client.readFrame();
			assertThat(echoed.opcode()).isEqualTo(Frame.BINARY);
			assertThat(echoed.payload()).isEqualTo(payload);
			await().atMost(Duration.ofSeconds(5)).until(() -> this.budget.used() == 0);
			closeNormally(client);
		}
	}

	@Test
	void aMessageOverTheGatewayWideBudgetGets1013WhileTheOthersGoOn() throws Exception {
		double refusedBefore = gatewayCloses("inspect", "buffer-budget");
		String id = "over-budget-" + ThreadLocalRandom.current().nextInt();
		try (RawWebSocket holder = RawWebSocket.connect(this.port, "/inspect/holder");
				RawWebSocket greedy = RawWebSocket.connect(this.port, "/inspect/greedy?id=" + id)) {
			byte[] held = random(60 * 1024);
			byte[] heldFrame = binaryFrame(held);
			int split = heldFrame.length - 10 * 1024;
			holder.sendRaw(Arrays.copyOf(heldFrame, split)); // 50 KB of 60 KB: held by the gateway
			await().atMost(Duration.ofSeconds(5)).until(() -> this.budget.used() >= 50 * 1024);

			greedy.sendRaw(binaryFrame(random(60 * 1024))); // 50 KB + 60 KB > 100 KB
			Frame close = greedy.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1013);
			assertThat(close.closeReason()).isEqualTo("try again later");
			WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(Duration.ofSeconds(5));
			assertThat(backendSaw.code()).isEqualTo(1001);
			greedy.sendClose(1013, "");
			assertThat(greedy.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();

			holder.sendRaw(Arrays.copyOfRange(heldFrame, split, heldFrame.length));
			Frame echoed = holder.readFrame();
			assertThat(echoed.payload()).as("the message within the budget went through").isEqualTo(held);
			closeNormally(holder);
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> this.budget.used() == 0);
		assertThat(gatewayCloses("inspect", "buffer-budget")).isEqualTo(refusedBefore + 1);
	}

	@Test
	void aMessageOverTheBufferedMessageCapGets1009EvenOnAnUnlimitedRoute() throws Exception {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/inspect-unlimited/x")) {
			// 1 GB announced: refused from the header alone, nothing held
			byte[] header = new byte[14];
			header[0] = (byte) 0x82;
			header[1] = (byte) (0x80 | 127);
			header[6] = 0x40; // the 8-byte length: 1 << 30 (the mask key stays zero)
			client.sendRaw(header);
			Frame close = client.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1009);
			assertThat(close.closeReason()).isEqualTo("message too big: limit is 65536 bytes");
			assertThat(this.budget.used()).isZero();
		}
	}

	@Test
	void aMessageNotCompletedInTimeGets1008AndIsLetGo() throws Exception {
		double before = gatewayCloses("inspect", "message-timeout");
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/inspect/slow")) {
			byte[] frame = binaryFrame(random(10 * 1024));
			client.sendRaw(Arrays.copyOf(frame, 1000)); // and then nothing more
			await().atMost(Duration.ofSeconds(5)).until(() -> this.budget.used() > 0);
			Frame close = client.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
			assertThat(close.closeReason()).isEqualTo("message not completed in time");
			assertThat(this.budget.used()).isZero();
			client.sendClose(1008, "");
			assertThat(client.closedByPeerWithin(Duration.ofSeconds(5))).isTrue();
		}
		assertThat(gatewayCloses("inspect", "message-timeout")).isEqualTo(before + 1);
	}

	@Test
	void fragmentsSentWithinTheTimeoutPassAsOneMessage() throws Exception {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/inspect/fragments")) {
			client.send(false, Frame.TEXT, "one ".getBytes());
			Thread.sleep(1200); // each pause is under the 2 s message timeout, the two together are not
			client.send(false, Frame.CONTINUATION, "two ".getBytes());
			client.send(true, Frame.CONTINUATION, "three".getBytes());
			Frame echoed = client.readFrame();
			assertThat(echoed.opcode()).isEqualTo(Frame.TEXT);
			assertThat(new String(echoed.payload())).isEqualTo("one two three");
			Thread.sleep(1200);
			client.sendText("four");
			assertThat(new String(client.readFrame().payload())).isEqualTo("four");
			closeNormally(client);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "/plain/x", "/inspect/x", "/deflate/x" })
	void reservedOpcodesAreRefusedWith1002OnEveryRoute(String path) throws Exception {
		// on /deflate the client offers compression: its messages are joined (to be inflated)
		Map<String, String> headers = path.startsWith("/deflate")
				? Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_no_context_takeover") : Map.of();
		for (int opcode : new int[] { 0x3, 0x7, 0xB, 0xF }) {
			String id = "reserved-" + opcode + "-" + ThreadLocalRandom.current().nextInt();
			try (RawWebSocket client = RawWebSocket.connect(this.port, path + "?id=" + id, headers)) {
				assertThat(client.status()).isEqualTo(101);
				if (!headers.isEmpty()) {
					assertThat(client.header("sec-websocket-extensions")).startsWith("permessage-deflate");
				}
				client.send(true, opcode, "x".getBytes());
				Frame close = client.readUntilClose();
				assertThat(close.closeCode()).as("opcode %x", opcode).isEqualTo(1002);
				assertThat(close.closeReason()).isEqualTo("reserved opcode");
				WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(Duration.ofSeconds(5));
				assertThat(backendSaw.code()).as("the backend never saw the frame").isEqualTo(1001);
				assertThat(backendSaw.reasonText()).isEqualTo("client closed by gateway");
			}
		}
	}

	private static void closeNormally(RawWebSocket client) throws IOException {
		client.sendClose(1000, "");
		assertThat(client.readUntilClose().closeCode()).isEqualTo(1000);
	}

	private double gauge(String name) {
		return this.meters.get(name).gauge().value();
	}

	private double gatewayCloses(String route, String cause) {
		var counter = this.meters.find(ConnectionMetrics.GATEWAY_CLOSES).tag(MeterTags.ROUTE, route).tag("cause", cause).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private static byte[] random(int size) {
		byte[] bytes = new byte[size];
		ThreadLocalRandom.current().nextBytes(bytes);
		return bytes;
	}

	/** A whole binary message in one frame, masked as from a client. */
	private static byte[] binaryFrame(byte[] payload) {
		return WireIO.encodeFrame(true, Frame.BINARY, payload, true);
	}

}
