package io.wsgate.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.cloud.gateway.route.RouteDefinition;

/**
 * {@code wsgate.routes.store=file}: the runtime routes as one JSON document,
 * {@code {"version":1,"routes":[...]}}, read once at startup and rewritten whole on every
 * change. A write goes to a temporary file beside it, is forced to disk, then renamed over
 * the document (and the directory forced), so a crash leaves either the old document or the
 * new one, never a part. A document that does not parse (truncated, edited wrongly) stops
 * startup with a message naming the file; it is never replaced by an empty one silently.
 *
 * <p>The file belongs to one gateway process: replicas that share routes use Redis.
 */
final class FileRouteStore implements RouteStore {

	private static final Logger log = LoggerFactory.getLogger(FileRouteStore.class);

	static final int VERSION = 1;

	private final Path path;

	private final Path temporary;

	private final RouteJson json;

	/** What the file holds; replaced whole after each successful write. */
	private volatile Map<String, RouteDefinition> routes;

	/**
	 * Reads the file, if there is one.
	 * @throws RouteStoreException if it cannot be read or is not a route document
	 */
	FileRouteStore(Path path, RouteJson json) {
		this.path = path.toAbsolutePath().normalize();
		this.temporary = this.path.resolveSibling(this.path.getFileName() + ".tmp");
		this.json = json;
		this.routes = read();
	}

	private Map<String, RouteDefinition> read() {
		byte[] content;
		try {
			content = Files.readAllBytes(this.path);
		}
		catch (NoSuchFileException ex) {
			log.info("route store {}: no file yet; it is written when a route is first created", this.path);
			return Map.of();
		}
		catch (IOException ex) {
			throw new RouteStoreException("route store file " + this.path + " cannot be read: " + ex, ex);
		}
		if (content.length == 0) {
			throw corrupt("it is empty", null);
		}
		Map<String, RouteDefinition> routes = new LinkedHashMap<>();
		try {
			JsonNode document = this.json.mapper().readTree(content);
			if (document == null || !document.isObject() || !document.path("routes").isArray()) {
				throw corrupt("it is not a JSON object with a \"routes\" array", null);
			}
			int index = 0;
			for (JsonNode node : document.get("routes")) {
				RouteDefinition route = this.json.read(node);
				if (route.getId() == null || route.getId().isBlank()) {
					throw corrupt("routes[" + index + "] has no id", null);
				}
				routes.put(route.getId(), route);
				index++;
			}
		}
		catch (JacksonException ex) {
			throw corrupt(ex.getOriginalMessage(), ex);
		}
		log.info("route store {}: {} runtime route(s) {}", this.path, routes.size(), routes.keySet());
		return routes;
	}

	private RouteStoreException corrupt(String problem, @Nullable Throwable cause) {
		return new RouteStoreException("route store file " + this.path + " is corrupt (" + problem
				+ "); it was left as it is. Restore it from a backup, repair it, or move it away to start "
				+ "without the routes created at runtime (wsgate.routes.file.path)", cause);
	}

	@Override
	public Mono<Map<String, RouteDefinition>> load() {
		return Mono.fromSupplier(() -> this.json.copy(this.routes));
	}

	@Override
	public Mono<Boolean> save(RouteDefinition route) {
		RouteDefinition copy = this.json.copy(route);
		return change(routes -> routes.put(copy.getId(), copy) != null);
	}

	@Override
	public Mono<Boolean> delete(String id) {
		return change(routes -> routes.remove(id) != null);
	}

	/** Applies a change to a copy, writes the copy, and only then makes it current. */
	private Mono<Boolean> change(Function<Map<String, RouteDefinition>, Boolean> change) {
		return Mono.fromCallable(() -> {
			synchronized (this) {
				Map<String, RouteDefinition> next = new LinkedHashMap<>(this.routes);
				boolean changed = change.apply(next);
				write(next);
				this.routes = next;
				return changed;
			}
		}).subscribeOn(Schedulers.boundedElastic());
	}

	private void write(Map<String, RouteDefinition> routes) {
		ObjectNode document = this.json.mapper().createObjectNode();
		document.put("version", VERSION);
		ArrayNode array = document.putArray("routes");
		routes.values().forEach(route -> array.add(this.json.tree(route)));
		byte[] bytes = this.json.mapper()
			.writerWithDefaultPrettyPrinter()
			.writeValueAsString(document)
			.concat("\n")
			.getBytes(StandardCharsets.UTF_8);
		try {
			Path directory = this.path.getParent();
			Files.createDirectories(directory);
			try (FileChannel channel = FileChannel.open(this.temporary, StandardOpenOption.CREATE,
					StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
				ByteBuffer buffer = ByteBuffer.wrap(bytes);
				while (buffer.hasRemaining()) {
					channel.write(buffer);
				}
				channel.force(true);
			}
			Files.move(this.temporary, this.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			forceDirectory(directory);
		}
		catch (IOException ex) {
			throw new RouteStoreException("route store unavailable: file " + this.path + " cannot be written (" + ex
					+ "); the routes served are unchanged", ex);
		}
	}

	/** Makes the rename durable (where the file system lets a directory be forced). */
	private static void forceDirectory(Path directory) {
		try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			log.debug("cannot force directory {}: {}", directory, ex.toString());
		}
	}

	@Override
	public String describe() {
		return "file " + this.path;
	}

}
