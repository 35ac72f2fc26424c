package io.wsgate.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package; {@code .ci/run} installs it) on a free
 * loopback port, without persistence, for as long as a test needs it.
 */
public final class RedisServer implements AutoCloseable {

	private final Process process;

	private final int port;

	private RedisServer(Process process, int port) {
		this.process = process;
		this.port = port;
	}

	public static RedisServer start() throws IOException, InterruptedException {
		int port = Ports.unused();
		Process process;
		try {
			process = new ProcessBuilder(List.of(System.getProperty("wsgate.test.redis", "redis-server"), "--port",
					Integer.toString(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"))
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
		}
		catch (IOException ex) {
			throw new IOException("cannot run redis-server (apt-get install redis-server, or -Dwsgate.test.redis=PATH)",
					ex);
		}
		RedisServer server = new RedisServer(process, port);
		boolean up = Management.eventually(Duration.ofSeconds(10), () -> {
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
				return true;
			}
			catch (IOException ex) {
				return false;
			}
		});
		if (!up) {
			server.close();
			throw new IOException("redis-server did not listen on port " + port);
		}
		return server;
	}

	public int port() {
		return this.port;
	}

	/** Runs one command with {@code redis-cli} (installed with the server); its output. */
	public String command(String... command) throws IOException, InterruptedException {
		List<String> line = new java.util.ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p",
				Integer.toString(this.port)));
		line.addAll(List.of(command));
		Process cli = new ProcessBuilder(line).redirectErrorStream(true).start();
		String output = new String(cli.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		if (!cli.waitFor(10, TimeUnit.SECONDS) || cli.exitValue() != 0) {
			throw new IOException("redis-cli " + command[0] + " failed: " + output);
		}
		return output;
	}

	@Override
	public void close() throws InterruptedException {
		this.process.destroy();
		if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
			this.process.destroyForcibly();
		}
	}

}
