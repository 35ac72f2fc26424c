package io.wsgate.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client that works at the wire level, so tests can send exactly the frames and
 * handshakes they mean (fragments, empty close frames, bad handshakes) and see exactly what
 * comes back, including whether the TCP connection was closed.
 */
public final class RawWebSocket implements AutoCloseable {

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	private final WireIO.Head response;

	private byte[] responseBody = new byte[0];

	private RawWebSocket(Socket socket, WireIO.Head response) throws IOException {
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
		this.response = response;
	}

	/**
	 * The status an upgrade to {@code path} is answered with (a 101 connection is closed with
	 * 1000 at once), or -1 when the gateway could not be reached or did not answer.
	 */
	public static int upgradeStatus(int port, String path) {
		try (RawWebSocket ws = connect(port, path)) {
			if (ws.status() == 101) {
				ws.sendClose(1000, "");
				ws.readUntilClose();
			}
			return ws.status();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/** Opens a connection with a standard handshake plus {@code extraHeaders}. */
	public static RawWebSocket connect(int port, String path, Map<String, String> extraHeaders) throws IOException {
		return connectFrom(null, port, path, extraHeaders);
	}

	/**
	 * The same from a chosen local address, such as {@code 127.0.0.2} (all of 127/8 is loopback
	 * on Linux): a second client address for tests of per-client behaviour.
	 */
	public static RawWebSocket connectFrom(String localAddress, int port, String path,
			Map<String, String> extraHeaders) throws IOException {
		Map<String, String> headers = new LinkedHashMap<>();
		headers.put("Host", "127.0.0.1:" + port);
		headers.put("Upgrade", "websocket");
		headers.put("Connection", "Upgrade");
		byte[] nonce = new byte[16];
		ThreadLocalRandom.current().nextBytes(nonce);
		headers.put("Sec-WebSocket-Key", Base64.getEncoder().encodeToString(nonce));
		headers.put("Sec-WebSocket-Version", "13");
		headers.putAll(extraHeaders);
		headers.values().removeIf(value -> value == null);
		return request(localAddress, port, "GET", path, headers);
	}

	public static RawWebSocket connect(int port, String path) throws IOException {
		return connect(port, path, Map.of());
	}

	/** Sends a request with exactly these headers and reads the answer's head (and body if not 101). */
	public static RawWebSocket request(int port, String method, String path, Map<String, String> headers)
			throws IOException {
		return request(null, port, method, path, headers);
	}

	private static RawWebSocket request(String localAddress, int port, String method, String path,
			Map<String, String> headers) throws IOException {
		Socket socket = new Socket();
		if (localAddress != null) {
			socket.bind(new InetSocketAddress(localAddress, 0));
		}
		socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		socket.setSoTimeout(10_000);
		StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
		headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
		request.append("\r\n");
		socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
		socket.getOutputStream().flush();
		WireIO.Head head = WireIO.readHead(socket.getInputStream());
		RawWebSocket ws = new RawWebSocket(socket, head);
		if (head.status() != 101) {
			String length = head.header("content-length");
			if (length != null) {
				ws.responseBody = socket.getInputStream().readNBytes(Integer.parseInt(length));
			}
		}
		return ws;
	}

	public int status() {
		return this.response.status();
	}

	public String header(String name) {
		return this.response.header(name);
	}

	public String body() {
		return new String(this.responseBody, StandardCharsets.UTF_8);
	}

	public RawWebSocket sendText(String text) throws IOException {
		return send(true, Frame.TEXT, text.getBytes(StandardCharsets.UTF_8));
	}

	public RawWebSocket send(boolean fin, int opcode, byte[] payload) throws IOException {
		WireIO.writeFrame(this.out, fin, opcode, payload, true);
		return this;
	}

	/** Writes bytes as they are, for frames a well-behaved client would never send. */
	public RawWebSocket sendRaw(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
		return this;
	}

	public RawWebSocket sendClose(int code, String reason) throws IOException {
		return send(true, Frame.CLOSE, WireIO.closePayload(code, reason));
	}

	/** Reads exactly {@code count} bytes as they come, frame boundaries or not. */
	public byte[] readBytes(int count) throws IOException {
		byte[] bytes = this.in.readNBytes(count);
		if (bytes.length != count) {
			throw new EOFException("closed after " + bytes.length + " of " + count + " bytes");
		}
		return bytes;
	}

	public Frame readFrame() throws IOException {
		return WireIO.readFrame(this.in);
	}

	/** Reads frames until a close frame, skipping data frames. */
	public Frame readUntilClose() throws IOException {
		while (true) {
			Frame frame = readFrame();
			if (frame.opcode() == Frame.CLOSE) {
				return frame;
			}
		}
	}

	/** Whether the server ends the TCP connection within {@code within} (nothing more arriving). */
	public boolean closedByPeerWithin(Duration within) throws IOException {
		this.socket.setSoTimeout((int) within.toMillis());
		try {
			ByteArrayOutputStream extra = new ByteArrayOutputStream();
			while (true) {
				int b = this.in.read();
				if (b < 0) {
					return extra.size() == 0;
				}
				extra.write(b);
			}
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true; // reset
		}
	}

	/** Reads and discards exactly {@code count} payload bytes of data frames; returns the frames seen. */
	public long drainData(long count) throws IOException {
		long seen = 0;
		long frames = 0;
		while (seen < count) {
			Frame frame = readFrame();
			if (frame.opcode() == Frame.CLOSE) {
				throw new EOFException("closed after " + seen + " bytes: " + frame);
			}
			seen += frame.payload().length;
			frames++;
		}
		return frames;
	}

	public void setReadTimeout(Duration timeout) throws IOException {
		this.socket.setSoTimeout((int) timeout.toMillis());
	}

	public int localPort() {
		return this.socket.getLocalPort();
	}

	/** Drops the connection with a TCP reset, without a close frame. */
	public void reset() throws IOException {
		this.socket.setSoLinger(true, 0);
		this.socket.close();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
