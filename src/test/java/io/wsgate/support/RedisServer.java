package io.wsgate.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} (Debian's package; {@code .ci/run} installs it) on a free
 * loopback port, for as long as a test needs it: without persistence ({@link #start()}), or
 * with an append-only file forced to disk on every write and a password
 * ({@link #startPersistent(Path, String)}), so
 * that a server {@linkplain #kill() killed} and {@linkplain #restart() started again} on the
 * same port still holds what it acknowledged.
 */
public final class RedisServer implements AutoCloseable {

	private final int port;

	/** Where the append-only file lives; null: no persistence. */
	private final @Nullable Path directory;

	/** {@code requirepass}; null: none. */
	private final @Nullable String password;

	private volatile Process process;

	private RedisServer(int port, @Nullable Path directory, @Nullable String password) {
		this.port = port;
		this.directory = directory;
		this.password = password;
	}

	/** A server without persistence: what it holds is lost when it stops. */
	public static RedisServer start() throws IOException, InterruptedException {
		return start(null, null);
	}

	/**
	 * A server that keeps its data in an append-only file in {@code directory}, forced to disk
	 * before each write is answered ({@code appendfsync always}), and loads it when started again;
	 * clients must authenticate with {@code password}.
	 */
	public static RedisServer startPersistent(Path directory, String password)
			throws IOException, InterruptedException {
		return start(directory, password);
	}

	private static RedisServer start(@Nullable Path directory, @Nullable String password)
			throws IOException, InterruptedException {
		RedisServer server = new RedisServer(Ports.unused(), directory, password);
		server.launch();
		return server;
	}

	private void launch() throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of(System.getProperty("wsgate.test.redis", "redis-server"),
				"--port", Integer.toString(this.port), "--bind", "127.0.0.1", "--save", ""));
		if (this.directory != null) {
			command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always", "--dir",
					this.directory.toAbsolutePath().toString()));
		}
		else {
			command.addAll(List.of("--appendonly", "no"));
		}
		if (this.password != null) {
			command.addAll(List.of("--requirepass", this.password));
		}
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IOException("cannot run redis-server (apt-get install redis-server, or -Dwsgate.test.redis=PATH)",
					ex);
		}
		boolean up = Management.eventually(Duration.ofSeconds(10), () -> {
			try {
				return this.process.isAlive() && "PONG".equals(command("PING").trim());
			}
			catch (IOException ex) {
				return false;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		});
		if (!up) {
			close();
			throw new IOException("redis-server did not answer on port " + this.port);
		}
	}

	public int port() {
		return this.port;
	}

	/** Its process id (of the server running now). */
	public long pid() {
		return this.process.pid();
	}

	/** Kills it at once (SIGKILL: no shutdown, no final save) and waits until it is gone. */
	public void kill() throws InterruptedException {
		this.process.destroyForcibly();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			throw new IllegalStateException("redis-server " + this.process.pid() + " did not die");
		}
	}

	/**
	 * Starts it again on the same port (after {@link #kill()} or {@link #close()}), with the same
	 * options, once it answers {@code PING}; a persistent one has loaded its data by then.
	 */
	public void restart() throws IOException, InterruptedException {
		if (this.process.isAlive()) {
			throw new IllegalStateException("redis-server is still running");
		}
		launch();
	}

	/** Whether something accepts connections on its port. */
	public boolean listening() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** Runs one command with {@code redis-cli} (installed with the server); its output. */
	public String command(String... command) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
				Integer.toString(this.port)));
		if (this.password != null) {
			line.addAll(List.of("--no-auth-warning", "-a", this.password));
		}
		line.addAll(List.of(command));
		Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
		String output = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
			cli.destroyForcibly();
			throw new IOException("redis-cli " + command[0] + " failed: " + output);
		}
		return output;
	}

	@Override
	public void close() throws InterruptedException {
		Process process = this.process;
		if (process == null) {
			return;
		}
		process.destroy();
		if (!process.waitFor(10, TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
	}

}
