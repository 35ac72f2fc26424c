package io.wsgate.proxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

import org.springframework.http.HttpHeaders;

import io.wsgate.support.Frame;
import io.wsgate.support.WireIO;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The byte loop of {@link FrameForwarder}, driven through a {@link Relay} whose two channels
 * are {@link EmbeddedChannel}s: bytes written into one channel's inbound come out of the other's
 * outbound, so that buffers can be cut anywhere, which a TCP test reaches only by chance.
 */
class FrameForwarderTest {

	private static final URI BACKEND = URI.create("ws://backend.test/ws");

	private final EmbeddedChannel client = new EmbeddedChannel();

	private EmbeddedChannel backend;

	private Relay relay;

	@AfterEach
	void close() {
		this.client.finishAndReleaseAll();
		if (this.backend != null) {
			this.backend.finishAndReleaseAll();
		}
	}

	/** Every header cut after 1 byte, after the 2-byte base, inside its extended length and inside its mask key. */
	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 5, 7, 11, 13, 4096, Integer.MAX_VALUE })
	void clientFramesReachTheBackendByteForByteInBuffersOfAnySize(int size) {
		open(MessageLimits.UNLIMITED);
		byte[] wire = frames(true);
		writeInChunks(this.client, wire, size);
		assertThat(outbound(this.backend)).containsExactly(wire);
		assertThat(this.relay.inbound().frames()).isEqualTo(7);
		assertThat(this.relay.inbound().bytes()).isEqualTo(wire.length);
		assertThat(this.relay.inbound().ping()).isEqualTo(1);
		assertThat(this.relay.inbound().continuation()).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 5, 7, 11, 13, 4096, Integer.MAX_VALUE })
	void backendFramesReachTheClientByteForByteInBuffersOfAnySize(int size) {
		open(MessageLimits.UNLIMITED);
		byte[] wire = frames(false);
		writeInChunks(this.backend, wire, size);
		assertThat(outbound(this.client)).containsExactly(wire);
		assertThat(this.relay.outbound().frames()).isEqualTo(7);
		assertThat(this.relay.outbound().bytes()).isEqualTo(wire.length);
	}

	@Test
	void framesCutAtRandomPointsArriveWhole() {
		open(MessageLimits.UNLIMITED);
		byte[] wire = frames(true);
		Random random = new Random(19);
		ByteArrayOutputStream relayed = new ByteArrayOutputStream();
		for (int round = 0; round < 20; round++) {
			int index = 0;
			while (index < wire.length) {
				int n = Math.min(wire.length - index, 1 + random.nextInt(40));
				this.client.writeInbound(Unpooled.copiedBuffer(wire, index, n));
				index += n;
			}
			relayed.writeBytes(outbound(this.backend));
		}
		ByteArrayOutputStream expected = new ByteArrayOutputStream();
		for (int round = 0; round < 20; round++) {
			expected.writeBytes(wire);
		}
		assertThat(relayed.toByteArray()).isEqualTo(expected.toByteArray());
	}

	/** A header that begins in one buffer is written on as a copy: each cut of a 64-bit header. */
	@Test
	void headerSplitAtEachOfItsBytesIsPassedOnWhole() {
		open(MessageLimits.UNLIMITED);
		byte[] wire = WireIO.encodeFrame(true, Frame.BINARY, payload(70_000), true);
		for (int cut = 1; cut < 14; cut++) {
			this.client.writeInbound(Unpooled.copiedBuffer(wire, 0, cut));
			this.client.writeInbound(Unpooled.copiedBuffer(wire, cut, wire.length - cut));
			assertThat(outbound(this.backend)).as("cut after " + cut).containsExactly(wire);
		}
	}

	@Test
	void reservedOpcodeSplitAcrossBuffersClosesTheClientWithProtocolError() throws IOException {
		open(MessageLimits.UNLIMITED);
		byte[] good = WireIO.encodeFrame(true, Frame.TEXT, "ok".getBytes(), true);
		byte[] bad = WireIO.encodeFrame(true, 0x3, payload(3), true);
		this.client.writeInbound(Unpooled.wrappedBuffer(good, new byte[] { bad[0] }));
		this.client.writeInbound(Unpooled.copiedBuffer(bad, 1, bad.length - 1));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "reserved opcode");
		List<Frame> toBackend = decode(outbound(this.backend));
		assertThat(toBackend).hasSize(2);
		assertThat(toBackend.get(0).text()).isEqualTo("ok");
		assertThat(toBackend.get(1).closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
	}

	@Test
	void fragmentedPingClosesTheClientWithProtocolError() throws IOException {
		open(MessageLimits.UNLIMITED);
		this.client.writeInbound(Unpooled.wrappedBuffer(WireIO.encodeFrame(false, Frame.PING, payload(2), true)));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "fragmented or oversized control frame");
	}

	@Test
	void oversizedCloseFrameClosesTheClientWithProtocolError() throws IOException {
		open(MessageLimits.UNLIMITED);
		this.client.writeInbound(Unpooled.wrappedBuffer(WireIO.encodeFrame(true, Frame.CLOSE, payload(126), true)));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "fragmented or oversized control frame");
	}

	@Test
	void reservedBitClosesTheBackendWithProtocolErrorAndTheClientWithBadGateway() throws IOException {
		open(MessageLimits.UNLIMITED);
		byte[] frame = WireIO.encodeFrame(true, Frame.TEXT, "x".getBytes(), false);
		frame[0] |= 0x20; // RSV2
		this.backend.writeInbound(Unpooled.wrappedBuffer(frame));
		assertClosed(outbound(this.backend), CloseCodes.PROTOCOL_ERROR, "reserved bits set that no extension allows");
		assertClosed(outbound(this.client), CloseCodes.BAD_GATEWAY, "backend protocol error");
	}

	@Test
	void unmaskedClientFrameIsAProtocolError() throws IOException {
		open(MessageLimits.UNLIMITED);
		this.client.writeInbound(Unpooled.wrappedBuffer(WireIO.encodeFrame(true, Frame.TEXT, payload(1), false)));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "unmasked frame from client");
	}

	@Test
	void messageOverTheLimitAcrossFragmentsIsTooBigAndNotPassedOn() throws IOException {
		open(100);
		byte[] first = WireIO.encodeFrame(false, Frame.TEXT, payload(60), true);
		byte[] second = WireIO.encodeFrame(true, Frame.CONTINUATION, payload(41), true);
		this.client.writeInbound(Unpooled.wrappedBuffer(first));
		assertThat(outbound(this.backend)).containsExactly(first);
		this.client.writeInbound(Unpooled.copiedBuffer(second, 0, 3));
		this.client.writeInbound(Unpooled.copiedBuffer(second, 3, second.length - 3));
		assertClosed(outbound(this.client), CloseCodes.MESSAGE_TOO_BIG, "message too big: limit is 100 bytes");
		List<Frame> toBackend = decode(outbound(this.backend));
		assertThat(toBackend).hasSize(1);
		assertThat(toBackend.get(0).closeCode()).isEqualTo(CloseCodes.GOING_AWAY);
	}

	@Test
	void closeFrameSplitAcrossBuffersIsPassedOnAndNoticed() throws IOException {
		open(MessageLimits.UNLIMITED);
		byte[] close = WireIO.encodeFrame(true, Frame.CLOSE, WireIO.closePayload(4321, "bye"), true);
		for (int i = 0; i < close.length; i++) {
			this.client.writeInbound(Unpooled.copiedBuffer(close, i, 1));
		}
		assertThat(outbound(this.backend)).containsExactly(close);
		assertThat(this.relay.closeStatus()).isNotNull();
		assertThat(this.relay.closeStatus().code()).isEqualTo(4321);
		assertThat(this.relay.closeStatus().reason()).isEqualTo("bye");
	}

	@Test
	void compressedMessageInFragmentsCutAnywhereIsJoinedInflatedAndPassedOnAsOneFrame() throws IOException {
		open(MessageLimits.UNLIMITED, Relay.Deflate.PER_MESSAGE);
		byte[] text = "a message that comes compressed, in three fragments".repeat(20).getBytes();
		byte[] compressed = PerMessageDeflate.deflate(text, text.length);
		int third = compressed.length / 3;
		byte[] first = WireIO.encodeFrame(false, Frame.TEXT, Arrays.copyOfRange(compressed, 0, third), true);
		first[0] |= FrameHeader.RSV1;
		ByteArrayOutputStream wire = new ByteArrayOutputStream();
		wire.writeBytes(first);
		wire.writeBytes(WireIO.encodeFrame(false, Frame.CONTINUATION,
				Arrays.copyOfRange(compressed, third, 2 * third), true));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.CONTINUATION,
				Arrays.copyOfRange(compressed, 2 * third, compressed.length), true));
		writeInChunks(this.client, wire.toByteArray(), 5);
		List<Frame> toBackend = decode(outbound(this.backend));
		assertThat(toBackend).hasSize(1);
		assertThat(toBackend.get(0).fin()).isTrue();
		assertThat(toBackend.get(0).opcode()).isEqualTo(Frame.TEXT);
		assertThat(toBackend.get(0).payload()).isEqualTo(text);
		assertThat(this.relay.inbound().frames()).isEqualTo(3);
	}

	@Test
	void compressedMessageThatInflatesPastTheLimitIsTooBig() throws IOException {
		open(1000, Relay.Deflate.PER_MESSAGE);
		byte[] text = new byte[5000];
		byte[] compressed = PerMessageDeflate.deflate(text, text.length);
		byte[] frame = WireIO.encodeFrame(true, Frame.BINARY, compressed, true);
		frame[0] |= FrameHeader.RSV1;
		this.client.writeInbound(Unpooled.wrappedBuffer(frame));
		assertClosed(outbound(this.client), CloseCodes.MESSAGE_TOO_BIG, "message too big: limit is 1000 bytes");
	}

	@Test
	void dataThatDoesNotInflateIsInvalidPayload() throws IOException {
		open(MessageLimits.UNLIMITED, Relay.Deflate.PER_MESSAGE);
		byte[] frame = WireIO.encodeFrame(true, Frame.BINARY, new byte[] { (byte) 0xFF, (byte) 0xFF, 1, 2 }, true);
		frame[0] |= FrameHeader.RSV1;
		this.client.writeInbound(Unpooled.wrappedBuffer(frame));
		assertClosed(outbound(this.client), CloseCodes.INVALID_PAYLOAD, "invalid compressed data");
	}

	@Test
	void joinedMessagesMustNotInterleave() throws IOException {
		open(MessageLimits.UNLIMITED, Relay.Deflate.PER_MESSAGE);
		this.client.writeInbound(Unpooled.wrappedBuffer(WireIO.encodeFrame(false, Frame.TEXT, "a".getBytes(), true)));
		this.client.writeInbound(Unpooled.wrappedBuffer(WireIO.encodeFrame(true, Frame.TEXT, "b".getBytes(), true)));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "new message before the last one ended");
	}

	@Test
	void continuationWithoutAJoinedMessageIsAProtocolError() throws IOException {
		open(MessageLimits.UNLIMITED, Relay.Deflate.PER_MESSAGE);
		this.client.writeInbound(
				Unpooled.wrappedBuffer(WireIO.encodeFrame(true, Frame.CONTINUATION, "a".getBytes(), true)));
		assertClosed(outbound(this.client), CloseCodes.PROTOCOL_ERROR, "continuation frame without a message");
	}

	private void open(long limit) {
		open(limit, Relay.Deflate.OFF);
	}

	/** A relay whose client negotiated {@code clientDeflate} (its messages are then joined); the backend none. */
	private void open(long limit, Relay.Deflate clientDeflate) {
		AtomicReference<MonoSink<BackendLink>> sink = new AtomicReference<>();
		Mono.<BackendLink>create(sink::set).subscribe();
		BackendHandshakeHandler handshake = new BackendHandshakeHandler(BackendTarget.of(BACKEND),
				new DefaultHttpHeaders(), List.of(), sink.get());
		this.backend = new EmbeddedChannel(handshake);
		ReferenceCountUtil.release(this.backend.readOutbound()); // the upgrade request
		Relay.Settings settings = new Relay.Settings(new MessageLimits(limit, limit), Duration.ofSeconds(5),
				ConnectionPolicy.Expiry.NONE, ConnectionPolicy.IdleTimeout.NONE, ConnectionPolicy.KeepAlive.NONE, null,
				HttpHeaders.EMPTY, BACKEND, clientDeflate, Relay.Deflate.OFF,
				new MessageBuffering(new MessageBudget(1 << 20), 1 << 20, Duration.ofSeconds(5)));
		this.relay = new Relay("test", "test-route", new InetSocketAddress("127.0.0.1", 40000), BACKEND, null,
				settings, new ConnectionRegistry(10));
		this.relay.start(this.client, new BackendLink(this.backend, handshake, null, HttpHeaders.EMPTY, null));
	}

	/** Seven frames of every header shape: 7, 16 and 64-bit lengths, control frames, a fragmented message. */
	private static byte[] frames(boolean masked) {
		ByteArrayOutputStream wire = new ByteArrayOutputStream();
		wire.writeBytes(WireIO.encodeFrame(true, Frame.TEXT, "hello".getBytes(), masked));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.BINARY, payload(300), masked));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.PING, payload(4), masked));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.BINARY, new byte[0], masked));
		wire.writeBytes(WireIO.encodeFrame(false, Frame.TEXT, "frag".getBytes(), masked));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.CONTINUATION, "ment".getBytes(), masked));
		wire.writeBytes(WireIO.encodeFrame(true, Frame.BINARY, payload(70_000), masked));
		return wire.toByteArray();
	}

	private static byte[] payload(int length) {
		byte[] payload = new byte[length];
		for (int i = 0; i < length; i++) {
			payload[i] = (byte) (i * 31 + 7);
		}
		return payload;
	}

	private static void writeInChunks(EmbeddedChannel channel, byte[] wire, int size) {
		int index = 0;
		while (index < wire.length) {
			int n = Math.min(size, wire.length - index);
			channel.writeInbound(Unpooled.copiedBuffer(wire, index, n));
			index += n;
		}
	}

	/** Everything written to {@code channel} so far, in order, released. */
	private static byte[] outbound(EmbeddedChannel channel) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		List<Object> written = new ArrayList<>();
		Object message;
		while ((message = channel.readOutbound()) != null) {
			written.add(message);
		}
		for (Object each : written) {
			ByteBuf buf = (ByteBuf) each;
			byte[] bytes = new byte[buf.readableBytes()];
			buf.getBytes(buf.readerIndex(), bytes);
			out.writeBytes(bytes);
			buf.release();
		}
		return out.toByteArray();
	}

	private static List<Frame> decode(byte[] wire) throws IOException {
		ByteArrayInputStream in = new ByteArrayInputStream(wire);
		List<Frame> frames = new ArrayList<>();
		while (in.available() > 0) {
			frames.add(WireIO.readFrame(in));
		}
		return frames;
	}

	private static void assertClosed(byte[] wire, int code, String reason) throws IOException {
		List<Frame> frames = decode(wire);
		assertThat(frames).isNotEmpty();
		Frame last = frames.get(frames.size() - 1);
		assertThat(last.opcode()).isEqualTo(Frame.CLOSE);
		assertThat(last.closeCode()).isEqualTo(code);
		assertThat(last.closeReason()).isEqualTo(reason);
	}

}
