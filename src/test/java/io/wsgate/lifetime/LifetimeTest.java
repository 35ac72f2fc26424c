package io.wsgate.lifetime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;

import io.wsgate.proxy.MeterTags;
import io.wsgate.metrics.ConnectionMetrics;
import io.wsgate.support.Frame;
import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;
import io.wsgate.support.ScriptedBackend;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * ConnectionExpiry, IdleTimeout and KeepAlive on real connections: each end the gateway
 * decides is a real close frame with the documented code and reason, to both sides.
 */
class LifetimeTest extends GatewayTest {

	@Autowired
	MeterRegistry meters;

	@Test
	void expiryClosesBothSidesWith1001AfterTheLifetime() throws Exception {
		String id = newId();
		double before = gatewayCloses("expired", "expiry");
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/expiry/x?id=" + id)) {
			long opened = System.nanoTime();
			client.sendText("hi");
			assertThat(client.readFrame().text()).isEqualTo("hi");
			client.setReadTimeout(Duration.ofSeconds(10));
			Frame close = client.readUntilClose();
			long tookMillis = (System.nanoTime() - opened) / 1_000_000;
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(close.closeReason()).isEqualTo("connection expired");
			assertThat(tookMillis).as("expiry is never early").isGreaterThanOrEqualTo(1900);
			client.sendClose(1001, "");
			assertThat(client.closedByPeerWithin(Duration.ofSeconds(3))).isTrue();
		}
		WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(Duration.ofSeconds(5));
		assertThat(backendSaw.code()).isEqualTo(1001);
		assertThat(backendSaw.reasonText()).isEqualTo("connection expired");
		assertThat(gatewayCloses("expired", "expiry")).isEqualTo(before + 1);
	}

	@Test
	void expiryCodeAndReasonAreConfigurable() throws Exception {
		String id = newId();
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/expiry-custom/x?id=" + id)) {
			client.setReadTimeout(Duration.ofSeconds(10));
			Frame close = client.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(4000);
			assertThat(close.closeReason()).isEqualTo("renew");
			client.sendClose(4000, "");
		}
		assertThat(echo.record(id).closeStatus(Duration.ofSeconds(5)).code()).isEqualTo(4000);
	}

	@Test
	void messagesKeepAConnectionAliveAndSilenceEndsIt() throws Exception {
		String id = newId();
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/idle/x?id=" + id)) {
			// 2 s of traffic every 300 ms on a 1 s idle timeout: the connection stays up
			for (int i = 0; i < 7; i++) {
				client.sendText("m" + i);
				assertThat(client.readFrame().text()).isEqualTo("m" + i);
				Thread.sleep(300);
			}
			long silentSince = System.nanoTime();
			client.setReadTimeout(Duration.ofSeconds(10));
			Frame close = client.readUntilClose();
			long silentMillis = (System.nanoTime() - silentSince) / 1_000_000;
			assertThat(close.closeCode()).isEqualTo(1001);
			assertThat(close.closeReason()).isEqualTo("idle timeout");
			assertThat(silentMillis).isGreaterThanOrEqualTo(600); // 1 s after the last echo, minus the sleep
			client.sendClose(1001, "");
		}
		WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(Duration.ofSeconds(5));
		assertThat(backendSaw.code()).isEqualTo(1001);
		assertThat(backendSaw.reasonText()).isEqualTo("idle timeout");
	}

	@Test
	void pingsAreNotActivityByDefault() throws Exception {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/idle/x?id=" + newId())) {
			List<Frame> seen = pingEvery300msUntilClose(client, 10);
			Frame close = seen.get(seen.size() - 1);
			assertThat(close.opcode()).isEqualTo(Frame.CLOSE);
			assertThat(close.closeReason()).isEqualTo("idle timeout");
			// the pings were relayed and answered all the same
			assertThat(seen).anyMatch(frame -> frame.opcode() == Frame.PONG);
			client.sendClose(1001, "");
		}
	}

	@Test
	void pingsCountWhenTheRouteSaysSo() throws Exception {
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/idle-pings/x?id=" + newId())) {
			long start = System.nanoTime();
			List<Frame> seen = pingEvery300msUntilClose(client, 7); // 2.1 s of pings, then silence
			long tookMillis = (System.nanoTime() - start) / 1_000_000;
			Frame close = seen.get(seen.size() - 1);
			assertThat(close.closeReason()).isEqualTo("idle timeout");
			assertThat(tookMillis).as("pings kept it open past the 1 s timeout").isGreaterThan(2000);
			client.sendClose(1001, "");
		}
	}

	@Test
	void keepAlivePingsBothSidesAndRelaysNeitherTheirPongs() throws Exception {
		String id = newId();
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/keepalive/x?id=" + id)) {
			client.setReadTimeout(Duration.ofMillis(200));
			List<Frame> received = new ArrayList<>();
			long end = System.nanoTime() + Duration.ofMillis(1600).toNanos();
			boolean ownPingSent = false;
			while (System.nanoTime() < end) {
				if (!ownPingSent && System.nanoTime() > end - Duration.ofMillis(800).toNanos()) {
					client.send(true, Frame.PING, "client-ping".getBytes(StandardCharsets.UTF_8));
					ownPingSent = true;
				}
				Frame frame = readOrNull(client);
				if (frame == null) {
					continue;
				}
				received.add(frame);
				if (frame.opcode() == Frame.PING) {
					client.send(true, Frame.PONG, frame.payload()); // a well-behaved client answers
				}
			}
			List<Frame> gatewayPings = received.stream().filter(frame -> frame.opcode() == Frame.PING).toList();
			assertThat(gatewayPings).hasSizeGreaterThanOrEqualTo(3).allMatch(ping -> ping.payload().length == 8);
			// the only pong the client sees answers its own ping: the backend's answers to the
			// gateway's pings stay in the gateway, and so do the client's (or the echo backend
			// would have echoed them back)
			assertThat(received).filteredOn(frame -> frame.opcode() == Frame.PONG)
				.extracting(Frame::text)
				.containsExactly("client-ping");
			assertThat(received).noneMatch(frame -> frame.opcode() == Frame.CLOSE);
			assertThat(echo.record(id).pings()).contains("client-ping").hasSizeGreaterThanOrEqualTo(4);
			client.sendText("still here");
			client.setReadTimeout(Duration.ofSeconds(5));
			assertThat(readAnsweringPings(client).text()).isEqualTo("still here");
			client.sendClose(1000, "done");
			assertThat(client.readUntilClose().closeCode()).isEqualTo(1000);
		}
	}

	@Test
	void aClientThatNeverAnswersIsDroppedAndTheBackendToldSo() throws Exception {
		String id = newId();
		double before = gatewayCloses("unresponsive", "keepalive");
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/keepalive/x?id=" + id)) {
			// reads nothing and answers nothing: the gateway ends the TCP connection
			WebSocketCloseStatus backendSaw = echo.record(id).closeStatus(Duration.ofSeconds(5));
			assertThat(backendSaw.code()).isEqualTo(1001);
			assertThat(backendSaw.reasonText()).isEqualTo("client unresponsive");
			client.setReadTimeout(Duration.ofSeconds(5));
			List<Frame> frames = new ArrayList<>();
			try {
				while (true) {
					frames.add(client.readFrame());
				}
			}
			catch (IOException ex) {
				// the end of the stream: dropped
			}
			assertThat(frames).isNotEmpty().allMatch(frame -> frame.opcode() == Frame.PING);
		}
		assertThat(gatewayCloses("unresponsive", "keepalive")).isEqualTo(before + 1);
	}

	@Test
	void aBackendThatNeverAnswersIsDroppedAndTheClientGets1011() throws Exception {
		String id = newId();
		try (RawWebSocket client = RawWebSocket.connect(this.port, "/keepalive-raw/x?id=" + id)) {
			client.setReadTimeout(Duration.ofSeconds(5));
			Frame frame = readAnsweringPings(client);
			assertThat(frame.opcode()).isEqualTo(Frame.CLOSE);
			assertThat(frame.closeCode()).isEqualTo(1011);
			assertThat(frame.closeReason()).isEqualTo("backend unresponsive");
			client.sendClose(1011, "");
			assertThat(client.closedByPeerWithin(Duration.ofSeconds(3))).isTrue();
		}
		ScriptedBackend.Session session = scripted.session(id);
		List<Frame> backendFrames = session.framesWhenEnded(Duration.ofSeconds(5));
		assertThat(session.sawEof()).as("the gateway dropped the backend's TCP connection").isTrue();
		assertThat(backendFrames).isNotEmpty().allMatch(f -> f.opcode() == Frame.PING && f.payload().length == 8);
	}

	/**
	 * Sends a ping every 300 ms, {@code count} times, reading what arrives meanwhile, then reads
	 * until the close; returns every frame read, the close last.
	 */
	private static List<Frame> pingEvery300msUntilClose(RawWebSocket client, int count) throws Exception {
		List<Frame> seen = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			client.send(true, Frame.PING, ("p" + i).getBytes(StandardCharsets.UTF_8));
			long until = System.nanoTime() + Duration.ofMillis(300).toNanos();
			long left;
			while ((left = until - System.nanoTime()) > 1_000_000) {
				client.setReadTimeout(Duration.ofNanos(left));
				Frame frame = readOrNull(client);
				if (frame != null) {
					seen.add(frame);
					if (frame.opcode() == Frame.CLOSE) {
						return seen;
					}
				}
			}
		}
		client.setReadTimeout(Duration.ofSeconds(10));
		Frame frame;
		do {
			frame = client.readFrame();
			seen.add(frame);
		}
		while (frame.opcode() != Frame.CLOSE);
		return seen;
	}

	/** Reads past pings (answering each, as a well-behaved client does) and pongs; returns the next frame. */
	private static Frame readAnsweringPings(RawWebSocket client) throws IOException {
		while (true) {
			Frame frame = client.readFrame();
			if (frame.opcode() == Frame.PING) {
				client.send(true, Frame.PONG, frame.payload());
			}
			else if (frame.opcode() != Frame.PONG) {
				return frame;
			}
		}
	}

	private static Frame readOrNull(RawWebSocket client) throws IOException {
		try {
			return client.readFrame();
		}
		catch (java.net.SocketTimeoutException ex) {
			return null;
		}
	}

	private double gatewayCloses(String cause, String route) {
		var counter = this.meters.find(ConnectionMetrics.GATEWAY_CLOSES).tag("cause", cause).tag(MeterTags.ROUTE, route).counter();
		return (counter != null) ? counter.count() : 0;
	}

}
