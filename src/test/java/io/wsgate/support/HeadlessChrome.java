package io.wsgate.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol, so a test can run JavaScript
 * in a real browser page (its WebSocket included) and get the result back. Starts Debian's
 * {@code /usr/bin/chromium} (another binary with {@code -Dwsgate.test.chromium=<path>}) with a
 * fresh profile in a temporary directory; {@link #close()} ends the browser and its child
 * processes and deletes the directory, and a shutdown hook kills them if the JVM exits first.
 * Every wait is bounded. Chromium missing is a test failure, not a skip: CI installs it
 * ({@code .ci/run}).
 */
public final class HeadlessChrome implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(HeadlessChrome.class);

	private static final Path BINARY = Path.of(System.getProperty("wsgate.test.chromium", "/usr/bin/chromium"));

	private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(5);

	private static final JsonMapper json = JsonMapper.builder().build();

	private final Path dir;

	private final Path log;

	private final Process process;

	private final Thread killOnExit;

	private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final Object sendLock = new Object();

	private volatile Throwable connectionLost;

	private WebSocket devtools;

	private HeadlessChrome(Path dir, Process process) {
		this.dir = dir;
		this.log = dir.resolve("chromium.log");
		this.process = process;
		this.killOnExit = new Thread(() -> {
			kill(process);
			try {
				process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			deleteRecursively(dir);
		}, "kill-headless-chrome-" + process.pid());
		Runtime.getRuntime().addShutdownHook(this.killOnExit);
	}

	/** Starts Chromium and connects to it; fails when it is not installed or not up {@code within}. */
	public static HeadlessChrome start(Duration within) throws IOException, InterruptedException {
		return start(within, List.of());
	}

	/**
	 * {@link #start(Duration)} with extra command-line flags (e.g. {@code --ignore-certificate-errors}
	 * for a page served with a self-signed certificate).
	 */
	public static HeadlessChrome start(Duration within, List<String> flags) throws IOException, InterruptedException {
		if (!Files.isExecutable(BINARY)) {
			throw new AssertionError("Chromium is not installed at " + BINARY + ": these tests need a real browser."
					+ " Install Debian's chromium package (apt-get install chromium; .ci/run does it),"
					+ " or name another binary with -Dwsgate.test.chromium=<path>.");
		}
		long started = System.nanoTime();
		Path dir = Files.createTempDirectory("wsgate-chrome-");
		Path profile = Files.createDirectory(dir.resolve("profile"));
		List<String> command = new java.util.ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox",
				"--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
				"--remote-debugging-port=0"));
		command.addAll(flags);
		command.add("about:blank");
		Process process = new ProcessBuilder(command)
			.redirectErrorStream(true)
			.redirectOutput(dir.resolve("chromium.log").toFile())
			.start();
		process.getOutputStream().close();
		HeadlessChrome chrome = new HeadlessChrome(dir, process);
		try {
			chrome.connect(profile.resolve("DevToolsActivePort"), within);
			String product = chrome.call("Browser.getVersion", Map.of(), null, COMMAND_TIMEOUT)
				.path("product")
				.asString();
			logger.info("{} (pid {}) ready in {} ms", product, process.pid(),
					TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
			return chrome;
		}
		catch (IOException | InterruptedException | RuntimeException | Error ex) {
			chrome.close();
			throw ex;
		}
	}

	/** Waits for the DevTools port Chromium picked and opens the browser's DevTools WebSocket. */
	private void connect(Path activePort, Duration within) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + within.toNanos();
		List<String> lines = List.of();
		while (lines.size() < 2) {
			if (!this.process.isAlive()) {
				throw new AssertionError("Chromium exited with " + this.process.exitValue() + " before it was ready:\n"
						+ logTail());
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("Chromium wrote no DevTools port within " + within + ":\n" + logTail());
			}
			Thread.sleep(20); // polled: this file is how Chromium tells which port it picked
			try {
				lines = Files.readAllLines(activePort, StandardCharsets.UTF_8);
			}
			catch (NoSuchFileException ex) {
				// not yet
			}
		}
		URI uri = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
		long left = Math.max(1, deadline - System.nanoTime());
		try {
			this.devtools = HttpClient.newHttpClient()
				.newWebSocketBuilder()
				.connectTimeout(Duration.ofNanos(left))
				.buildAsync(uri, new Listener())
				.get(left, TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new AssertionError("could not open Chromium's DevTools WebSocket " + uri + ": " + ex + "\n"
					+ logTail(), ex);
		}
	}

	/** A new tab on about:blank. */
	public Page openPage() {
		return openPage("about:blank");
	}

	/** A new tab loading {@code url} (wait for what the page does with {@link Page#evaluate}). */
	public Page openPage(String url) {
		String targetId = call("Target.createTarget", Map.of("url", url), null, COMMAND_TIMEOUT)
			.path("targetId")
			.asString();
		String sessionId = call("Target.attachToTarget", Map.of("targetId", targetId, "flatten", true), null,
				COMMAND_TIMEOUT)
			.path("sessionId")
			.asString();
		return new Page(targetId, sessionId);
	}

	/** Sends a DevTools command (to the browser, or to a page's session) and waits for its result. */
	private JsonNode call(String method, Map<String, ?> params, String sessionId, Duration within) {
		long id = this.ids.incrementAndGet();
		ObjectNode message = json.createObjectNode();
		message.put("id", id);
		message.put("method", method);
		message.set("params", json.valueToTree(params));
		if (sessionId != null) {
			message.put("sessionId", sessionId);
		}
		CompletableFuture<JsonNode> answer = new CompletableFuture<>();
		this.pending.put(id, answer);
		try {
			if (this.connectionLost != null) {
				throw new IllegalStateException("DevTools connection lost", this.connectionLost);
			}
			synchronized (this.sendLock) { // one send at a time on a JDK WebSocket
				this.devtools.sendText(json.writeValueAsString(message), true)
					.get(within.toMillis(), TimeUnit.MILLISECONDS);
			}
			return answer.get(within.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (TimeoutException ex) {
			throw new AssertionError("Chromium did not answer " + method + " within " + within, ex);
		}
		catch (ExecutionException ex) {
			throw new IllegalStateException(method + " failed: " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted waiting for " + method, ex);
		}
		finally {
			this.pending.remove(id);
		}
	}

	private void received(String text) {
		JsonNode message = json.readTree(text);
		if (!message.has("id")) {
			return; // an event; none is needed
		}
		CompletableFuture<JsonNode> answer = this.pending.get(message.get("id").asLong());
		if (answer == null) {
			return; // its caller gave up
		}
		if (message.has("error")) {
			answer.completeExceptionally(new IllegalStateException("DevTools error " + message.get("error")));
		}
		else {
			answer.complete(message.path("result"));
		}
	}

	private void lost(Throwable cause) {
		this.connectionLost = cause;
		this.pending.values().forEach(answer -> answer.completeExceptionally(cause));
	}

	private String logTail() {
		try {
			List<String> lines = Files.readAllLines(this.log, StandardCharsets.UTF_8);
			return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
		}
		catch (IOException | UncheckedIOException ex) {
			return "(no Chromium log: " + ex + ")";
		}
	}

	/** Asks Chromium to quit, kills it (and its children) if it does not, and deletes its directory. */
	@Override
	public void close() {
		List<ProcessHandle> children = this.process.descendants().toList();
		if (this.devtools != null && this.connectionLost == null) {
			try {
				call("Browser.close", Map.of(), null, EXIT_TIMEOUT);
			}
			catch (RuntimeException | AssertionError ex) {
				// it may drop the connection instead of answering; the exit below is what counts
			}
			this.devtools.abort();
		}
		else {
			this.process.destroy();
		}
		try {
			if (!this.process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
				kill(this.process);
				this.process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
			for (ProcessHandle child : children) { // they end with the browser, or are made to
				try {
					child.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (TimeoutException | ExecutionException ex) {
					child.destroyForcibly();
				}
			}
		}
		catch (InterruptedException ex) {
			kill(this.process);
			children.forEach(ProcessHandle::destroyForcibly);
			Thread.currentThread().interrupt();
		}
		finally {
			try {
				Runtime.getRuntime().removeShutdownHook(this.killOnExit);
			}
			catch (IllegalStateException ex) {
				// the JVM is exiting: the hook runs anyway
			}
			deleteRecursively(this.dir);
		}
	}

	private static void kill(Process process) {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
	}

	private static void deleteRecursively(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException ex) {
			logger.warn("could not delete {}: {}", dir, ex.toString());
		}
	}

	/** A browser tab, attached to through its own DevTools session. */
	public final class Page implements AutoCloseable {

		private final String targetId;

		private final String sessionId;

		private Page(String targetId, String sessionId) {
			this.targetId = targetId;
			this.sessionId = sessionId;
		}

		/**
		 * Evaluates {@code expression} in the page, waits for the promise it gives (if any) and
		 * returns the result as JSON; a script that throws or rejects fails the test with its
		 * error.
		 */
		public JsonNode evaluate(String expression, Duration within) {
			JsonNode result = call("Runtime.evaluate",
					Map.of("expression", expression, "awaitPromise", true, "returnByValue", true), this.sessionId,
					within);
			JsonNode exception = result.path("exceptionDetails");
			if (!exception.isMissingNode()) {
				throw new AssertionError("script failed in Chromium: "
						+ exception.path("exception").path("description").asString(exception.path("text").asString()));
			}
			return result.path("result").path("value");
		}

		/** {@link #evaluate(String, Duration)}, its result read as a {@code type}. */
		public <T> T evaluate(String expression, Class<T> type, Duration within) {
			return json.treeToValue(evaluate(expression, within), type);
		}

		@Override
		public void close() {
			call("Target.closeTarget", Map.of("targetId", this.targetId), null, COMMAND_TIMEOUT);
		}

	}

	/** Reassembles DevTools messages, which may come in parts. */
	private final class Listener implements WebSocket.Listener {

		private final StringBuilder text = new StringBuilder();

		@Override
		public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
			this.text.append(data);
			if (last) {
				String message = this.text.toString();
				this.text.setLength(0);
				received(message);
			}
			webSocket.request(1);
			return null;
		}

		@Override
		public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
			lost(new IllegalStateException("Chromium closed the DevTools connection: " + statusCode + " " + reason));
			return null;
		}

		@Override
		public void onError(WebSocket webSocket, Throwable error) {
			lost(error);
		}

	}

}
