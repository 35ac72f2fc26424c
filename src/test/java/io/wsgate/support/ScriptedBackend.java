package io.wsgate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A WebSocket backend written against the wire, for behaviours a library backend will not
 * show: refusing, never answering, a wrong accept key, bytes right after the 101, a reset,
 * frames a server must not send, floods through blocking writes, and backends that hang in the
 * middle of what they say: {@code deaf} (reads nothing more and writes nothing for {@code ?ms=}
 * milliseconds, then only waits for the end of the stream), {@code half-head} (a 101 status line
 * and one header, never the blank line), {@code stall-mid-frame} (a valid 101, then 12 bytes of a
 * frame that announces 100), {@code fragments} (a client's text {@code start} is answered with
 * the first fragment of a text message, {@code finish} with its last). The behaviour is picked by the last path segment; a connection's
 * record is found by its {@code id} query parameter.
 */
public final class ScriptedBackend implements AutoCloseable {

	private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

	private final ServerSocket server;

	private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
		Thread thread = new Thread(runnable, "scripted-backend");
		thread.setDaemon(true);
		return thread;
	});

	private final Map<String, Session> sessions = new ConcurrentHashMap<>();

	public ScriptedBackend() throws IOException {
		this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
		this.threads.execute(this::accept);
	}

	public int port() {
		return this.server.getLocalPort();
	}

	/** The record of the connection whose request carried {@code ?id=}, waiting for it to arrive. */
	public Session session(String id) {
		return await("backend saw a connection with id " + id).atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(10))
			.until(() -> this.sessions.get(id), Objects::nonNull);
	}

	private void accept() {
		while (!this.server.isClosed()) {
			try {
				Socket socket = this.server.accept();
				this.threads.execute(() -> serve(socket));
			}
			catch (IOException ex) {
				return;
			}
		}
	}

	private void serve(Socket socket) {
		Session session = null;
		try (socket) {
			socket.setSoTimeout(30_000);
			InputStream in = socket.getInputStream();
			OutputStream out = socket.getOutputStream();
			WireIO.Head request = WireIO.readHead(in);
			URI uri = URI.create(request.path());
			String path = uri.getPath();
			String behaviour = path.substring(path.lastIndexOf('/') + 1);
			session = new Session(request);
			this.sessions.put(queryParam(uri, "id"), session);
			switch (behaviour) {
				case "refuse" -> {
					byte[] body = "go away".getBytes(StandardCharsets.UTF_8);
					write(out, "HTTP/1.1 403 Forbidden\r\nX-Reason: nope\r\nContent-Type: text/plain\r\nContent-Length: "
							+ body.length + "\r\n\r\n");
					out.write(body);
					out.flush();
				}
				case "silent" -> in.read(); // never answers; the gateway gives up first
				case "deaf" -> {
					// the request head was read to learn the behaviour (a deaf peer's kernel takes those
					// bytes into its receive buffer just the same): from now on no read and no write
					Thread.sleep(Long.parseLong(queryParam(uri, "ms")));
					awaitEof(session, in);
				}
				case "half-head" -> {
					write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"); // no blank line, ever
					awaitEof(session, in);
				}
				case "stall-mid-frame" -> {
					write(out, accept(request, ""));
					byte[] part = new byte[12]; // a binary frame's header announcing 100 bytes, then 10 of them
					part[0] = (byte) (0x80 | Frame.BINARY);
					part[1] = 100;
					out.write(part);
					out.flush();
					recordUntilEof(session, in); // reads what comes, never writes again (no close answer)
				}
				case "bad-accept" -> write(out, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
						+ "Connection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n");
				case "greet" -> {
					byte[] upgrade = accept(request, "").getBytes(StandardCharsets.ISO_8859_1);
					byte[] hello = WireIO.encodeFrame(true, Frame.TEXT, "hello".getBytes(StandardCharsets.UTF_8), false);
					byte[] both = new byte[upgrade.length + hello.length];
					System.arraycopy(upgrade, 0, both, 0, upgrade.length);
					System.arraycopy(hello, 0, both, upgrade.length, hello.length);
					out.write(both); // 101 and a frame in one write
					out.flush();
					record(session, in, out, true);
				}
				case "reset" -> {
					write(out, accept(request, ""));
					Thread.sleep(200);
					socket.setSoLinger(true, 0);
				}
				case "empty-close" -> {
					write(out, accept(request, ""));
					WireIO.writeFrame(out, true, Frame.CLOSE, new byte[0], false);
					record(session, in, out, false);
				}
				case "masked" -> {
					write(out, accept(request, ""));
					WireIO.writeFrame(out, true, Frame.TEXT, "masked".getBytes(StandardCharsets.UTF_8), true);
					record(session, in, out, false);
				}
				case "big-out" -> {
					write(out, accept(request, ""));
					WireIO.writeFrame(out, true, Frame.TEXT, "x".repeat(2048).getBytes(StandardCharsets.UTF_8), false);
					record(session, in, out, false);
				}
				case "flood" -> {
					write(out, accept(request, ""));
					long megabytes = Long.parseLong(queryParam(uri, "mb"));
					byte[] frame = WireIO.encodeFrame(true, Frame.BINARY, new byte[64 * 1024], false);
					for (long sent = 0; sent < megabytes * 16; sent++) {
						out.write(frame);
					}
					out.flush();
					session.floodDone.countDown();
					record(session, in, out, false);
				}
				case "fragments" -> {
					write(out, accept(request, ""));
					fragments(session, in, out);
				}
				default -> {
					write(out, accept(request, "X-Backend: scripted\r\n"));
					record(session, in, out, true);
				}
			}
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			// the peer went away; the record says how far it got
		}
		finally {
			if (session != null) {
				session.ended.countDown();
			}
		}
	}

	/** Records frames until a close (answered with the same payload) or the end of the stream. */
	private static void record(Session session, InputStream in, OutputStream out, boolean answerClose)
			throws IOException {
		while (true) {
			Frame frame;
			try {
				frame = WireIO.readFrame(in);
			}
			catch (IOException ex) {
				session.sawEof = true;
				return;
			}
			session.frames.add(frame);
			if (frame.opcode() == Frame.CLOSE) {
				if (answerClose) {
					WireIO.writeFrame(out, true, Frame.CLOSE, frame.payload(), false);
				}
				return; // the server ends TCP after the close handshake
			}
		}
	}

	/**
	 * A fragmented message at the client's pace: {@code start} begins it (a text frame without
	 * FIN), {@code finish} ends it (a final continuation); a close is answered.
	 */
	private static void fragments(Session session, InputStream in, OutputStream out) throws IOException {
		while (true) {
			Frame frame = WireIO.readFrame(in);
			session.frames.add(frame);
			if (frame.opcode() == Frame.CLOSE) {
				WireIO.writeFrame(out, true, Frame.CLOSE, frame.payload(), false);
				return;
			}
			if ("start".equals(frame.text())) {
				WireIO.writeFrame(out, false, Frame.TEXT, "part-1;".getBytes(StandardCharsets.UTF_8), false);
			}
			else if ("finish".equals(frame.text())) {
				WireIO.writeFrame(out, true, Frame.CONTINUATION, "part-2".getBytes(StandardCharsets.UTF_8), false);
			}
		}
	}

	/** Reads and discards until the peer ends the stream (or resets it). */
	private static void awaitEof(Session session, InputStream in) throws IOException {
		try {
			while (in.read() >= 0) {
				// discarded
			}
		}
		catch (SocketTimeoutException ex) {
			return; // still open after the socket timeout: no end of stream seen
		}
		catch (IOException ex) {
			// reset: the peer dropped the connection all the same
		}
		session.sawEof = true;
	}

	/** Records every frame, answering none (not even a close), until the peer ends the stream. */
	private static void recordUntilEof(Session session, InputStream in) throws IOException {
		while (true) {
			try {
				session.frames.add(WireIO.readFrame(in));
			}
			catch (SocketTimeoutException ex) {
				return;
			}
			catch (IOException ex) {
				session.sawEof = true;
				return;
			}
		}
	}

	private static String accept(WireIO.Head request, String extraHeaders) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-1")
				.digest((request.header("sec-websocket-key") + GUID).getBytes(StandardCharsets.US_ASCII));
			return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
					+ "Sec-WebSocket-Accept: " + Base64.getEncoder().encodeToString(digest) + "\r\n" + extraHeaders
					+ "\r\n";
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void write(OutputStream out, String text) throws IOException {
		out.write(text.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	private static String queryParam(URI uri, String name) {
		String query = uri.getRawQuery();
		if (query != null) {
			for (String pair : query.split("&")) {
				if (pair.startsWith(name + "=")) {
					return pair.substring(name.length() + 1);
				}
			}
		}
		return "";
	}

	@Override
	public void close() throws IOException {
		this.server.close();
		this.threads.shutdownNow();
	}

	/** What one backend connection saw. */
	public static final class Session {

		private final WireIO.Head request;

		private final List<Frame> frames = Collections.synchronizedList(new ArrayList<>());

		private final CountDownLatch ended = new CountDownLatch(1);

		private final CountDownLatch floodDone = new CountDownLatch(1);

		private volatile boolean sawEof;

		Session(WireIO.Head request) {
			this.request = request;
		}

		public WireIO.Head request() {
			return this.request;
		}

		/** Waits for the connection to end and returns the frames it received. */
		public List<Frame> framesWhenEnded(Duration within) throws InterruptedException {
			if (!this.ended.await(within.toMillis(), TimeUnit.MILLISECONDS)) {
				throw new AssertionError("backend connection still open after " + within);
			}
			return new ArrayList<>(this.frames);
		}

		public boolean awaitEnded(Duration within) throws InterruptedException {
			return this.ended.await(within.toMillis(), TimeUnit.MILLISECONDS);
		}

		public boolean awaitFloodWritten(Duration within) throws InterruptedException {
			return this.floodDone.await(within.toMillis(), TimeUnit.MILLISECONDS);
		}

		/** Whether the stream ended without a close frame (the gateway dropped TCP). */
		public boolean sawEof() {
			return this.sawEof;
		}

	}

}
