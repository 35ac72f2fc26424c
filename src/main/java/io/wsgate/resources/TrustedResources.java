package io.wsgate.resources;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;

import org.springframework.core.io.ClassPathResource;
import org.springframework.util.StringUtils;

/**
 * Reads what a route names by location (a JWT public key, a JSON Schema), and only from where
 * a route may read: {@code classpath:} (the gateway's own resources) or {@code file:} under the
 * one trusted directory, {@code wsgate.resources.directory}. A path is normalised and its
 * symbolic links resolved before it is compared with the directory, so {@code ..} and links
 * cannot leave it. Nothing is fetched from a URL. Errors name the location and never hold the
 * file's contents.
 */
public final class TrustedResources {

	/** The largest file read: keys and schemas are small. */
	public static final int MAX_BYTES = 1024 * 1024;

	static final String DIRECTORY_PROPERTY = "wsgate.resources.directory";

	private final @Nullable Path directory;

	/**
	 * @param directory the trusted directory, or {@code null} to refuse every {@code file:}
	 * location
	 * @throws IllegalStateException when the directory cannot be resolved
	 */
	public TrustedResources(@Nullable Path directory) {
		if (directory == null) {
			this.directory = null;
			return;
		}
		try {
			this.directory = directory.toRealPath();
		}
		catch (IOException ex) {
			throw new IllegalStateException(DIRECTORY_PROPERTY + " " + directory + " cannot be resolved", ex);
		}
	}

	/** No trusted directory: {@code classpath:} only. */
	public static TrustedResources classpathOnly() {
		return new TrustedResources(null);
	}

	/**
	 * The text (UTF-8) at {@code location}.
	 * @param what the argument, for messages (e.g. {@code json-schema})
	 * @throws IllegalArgumentException naming the argument and the location, never the contents
	 */
	public String read(String what, String location) {
		String trimmed = location.trim();
		if (trimmed.startsWith("classpath:")) {
			return readClasspath(what, location, trimmed.substring("classpath:".length()));
		}
		if (trimmed.startsWith("file:")) {
			return readFile(what, location, trimmed);
		}
		throw new IllegalArgumentException(what + " '" + location + "' is refused: a location must be classpath: or "
				+ "file: (under " + DIRECTORY_PROPERTY + "); URLs are never fetched");
	}

	private String readClasspath(String what, String location, String path) {
		String clean = StringUtils.cleanPath(path);
		while (clean.startsWith("/")) {
			clean = clean.substring(1);
		}
		if (clean.isEmpty() || clean.equals("..") || clean.startsWith("../") || clean.contains("/../")) {
			throw new IllegalArgumentException(what + " '" + location + "' is not a classpath resource");
		}
		ClassPathResource resource = new ClassPathResource(clean);
		try (InputStream in = resource.getInputStream()) {
			return text(what, location, in.readNBytes(MAX_BYTES + 1));
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(what + " '" + location + "' cannot be read");
		}
	}

	private String readFile(String what, String location, String uri) {
		if (this.directory == null) {
			throw new IllegalArgumentException(what + " '" + location + "' is refused: file locations need "
					+ DIRECTORY_PROPERTY + ", which is not set");
		}
		Path path;
		try {
			String rest = uri.substring("file:".length());
			path = rest.startsWith("//") ? Path.of(URI.create(uri)) : Path.of(rest);
		}
		catch (IllegalArgumentException ex) { // InvalidPathException too
			throw new IllegalArgumentException(what + " '" + location + "' is not a file location");
		}
		Path candidate = this.directory.resolve(path).normalize();
		if (!candidate.startsWith(this.directory)) {
			throw outside(what, location);
		}
		Path real;
		try {
			real = candidate.toRealPath();
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(what + " '" + location + "' cannot be read");
		}
		if (!real.startsWith(this.directory)) {
			throw outside(what, location); // a symbolic link out of the directory
		}
		if (!Files.isRegularFile(real)) {
			throw new IllegalArgumentException(what + " '" + location + "' is not a regular file");
		}
		try (InputStream in = Files.newInputStream(real)) {
			return text(what, location, in.readNBytes(MAX_BYTES + 1));
		}
		catch (IOException ex) {
			throw new IllegalArgumentException(what + " '" + location + "' cannot be read");
		}
	}

	private static String text(String what, String location, byte[] bytes) {
		if (bytes.length > MAX_BYTES) {
			throw new IllegalArgumentException(what + " '" + location + "' is larger than " + MAX_BYTES + " bytes");
		}
		return new String(bytes, StandardCharsets.UTF_8);
	}

	private IllegalArgumentException outside(String what, String location) {
		return new IllegalArgumentException(what + " '" + location + "' is refused: it is not under "
				+ DIRECTORY_PROPERTY + " (" + this.directory + ")");
	}

	@Override
	public String toString() {
		return "TrustedResources[classpath:, " + ((this.directory != null) ? "file:" + this.directory : "no files")
				+ "]";
	}

}
