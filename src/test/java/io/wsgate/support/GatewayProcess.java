package io.wsgate.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.wsgate.WsgateApplication;

/**
 * wsgate in a JVM of its own (this JVM's class path, the application's main class), for tests
 * that restart a gateway or run several side by side; closing an application context inside
 * the test JVM would dispose Reactor Netty's global event loops that other tests share. The
 * console is collected; the port is read from the startup line.
 */
public final class GatewayProcess implements AutoCloseable {

	private static final Pattern STARTED = Pattern.compile("Netty started on port (\\d+)");

	/** The backend addresses runtime routes may reach; the build allows loopback for every test. */
	private static final String ALLOWED_BACKENDS = "wsgate.routes.backends.allow";

	private static final String WARMUP = "wsgate.warmup.enabled";

	private final Process process;

	private final StringBuffer output = new StringBuffer();

	private final Thread reader;

	private final CompletableFuture<Integer> port = new CompletableFuture<>();

	private GatewayProcess(Process process) {
		this.process = process;
		this.reader = new Thread(() -> {
			try (BufferedReader lines = process.inputReader()) {
				String line;
				while ((line = lines.readLine()) != null) {
					this.output.append(line).append('\n');
					Matcher matcher = STARTED.matcher(line);
					if (matcher.find()) {
						this.port.complete(Integer.parseInt(matcher.group(1)));
					}
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
			this.port.completeExceptionally(new IllegalStateException("gateway exited:\n" + this.output));
		}, "gateway-console");
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts a gateway with these command-line arguments (a free port, no demo and a management
	 * password unless they say otherwise).
	 */
	public static GatewayProcess start(String... args) throws IOException {
		return startWithJvmOptions(List.of(), args);
	}

	/** The same, with JVM options after the defaults (a later {@code -Xmx} wins). */
	public static GatewayProcess startWithJvmOptions(List<String> jvmOptions, String... args) throws IOException {
		boolean credentials = Stream.of(args)
			.anyMatch(arg -> arg.startsWith("--spring.security.user.password=") || arg.startsWith("--wsgate.admin.users."));
		List<String> all = new ArrayList<>(List.of(args));
		if (!credentials) {
			all.add("--spring.security.user.password=process-test-password");
		}
		return startAsGiven(jvmOptions, all.toArray(new String[0]));
	}

	/** Starts a gateway with a free port, no demo unless they say otherwise, and only these arguments. */
	public static GatewayProcess startAsGiven(String... args) throws IOException {
		return startAsGiven(List.of(), args);
	}

	private static GatewayProcess startAsGiven(List<String> jvmOptions, String... args) throws IOException {
		List<String> command = new ArrayList<>(List.of(
				Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
				"-XX:TieredStopAtLevel=1"));
		command.addAll(jvmOptions);
		String allowed = System.getProperty(ALLOWED_BACKENDS);
		if (allowed != null) { // the build's loopback allowance (pom.xml), as the tests' own JVM has it
			command.add("-D" + ALLOWED_BACKENDS + "=" + allowed);
		}
		String warmup = System.getProperty(WARMUP);
		if (warmup != null) { // the build's choice (pom.xml: off), unless an argument says otherwise
			command.add("-D" + WARMUP + "=" + warmup);
		}
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), WsgateApplication.class.getName(),
				"--server.port=0"));
		if (Arrays.stream(args)
			.noneMatch(arg -> arg.startsWith("--wsgate.demo.enabled=") || arg.startsWith("--spring.profiles.active="))) {
			command.add("--wsgate.demo.enabled=false");
		}
		command.addAll(List.of(args));
		return new GatewayProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
	}

	/** The port it listens on, once it has started. */
	public int port() throws Exception {
		return this.port.get(90, TimeUnit.SECONDS);
	}

	/** Waits for the process to end by itself; its exit code. */
	public int exitCode() throws InterruptedException {
		if (!this.process.waitFor(90, TimeUnit.SECONDS)) {
			throw new AssertionError("gateway did not exit:\n" + this.output);
		}
		return this.process.exitValue();
	}

	/** Everything the process wrote so far (all of it, once it has ended). */
	public String output() throws InterruptedException {
		if (!this.process.isAlive()) {
			this.reader.join(5000);
		}
		return this.output.toString();
	}

	/** Sends SIGTERM, as an orchestrator stops a pod, and returns at once. */
	public void terminate() {
		this.process.toHandle().destroy(); // Process.destroy would also close its output
	}

	public boolean isAlive() {
		return this.process.isAlive();
	}

	/** Whether it ended within {@code within}. */
	public boolean waitFor(java.time.Duration within) throws InterruptedException {
		return this.process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** Kills it at once (SIGKILL: no shutdown hook, no drain, no flush). */
	public void kill() {
		this.process.destroyForcibly();
	}

	/** Its process id. */
	public long pid() {
		return this.process.pid();
	}

	/** How many file descriptors it holds open now ({@code /proc/<pid>/fd}; Linux). */
	public int openFds() throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(this.process.pid()), "fd"))) {
			return (int) fds.count();
		}
	}

	/** Stops it as an orchestrator does (SIGTERM) and waits for it to end. */
	@Override
	public void close() throws InterruptedException {
		this.process.toHandle().destroy();
		if (!this.process.waitFor(30, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
