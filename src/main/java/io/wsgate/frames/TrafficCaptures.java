package io.wsgate.frames;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * The captured traffic of every route with {@code FrameCapture}: per route a ring of its most
 * recent frames and of its most recent connections' upgrades, each bounded, so a flood of
 * frames only overwrites older ones. Written from many event loops (each ring takes a short
 * lock), read by {@code GET /actuator/wstraffic}.
 */
public class TrafficCaptures {

	private final Map<String, RouteCapture> routes = new ConcurrentHashMap<>();

	/** The capture of {@code routeId}, created (or resized) with these bounds. */
	RouteCapture route(String routeId, int maxFrames, int maxConnections) {
		return this.routes.compute(routeId, (id, existing) -> (existing != null
				&& existing.maxFrames == maxFrames && existing.maxConnections == maxConnections) ? existing
						: new RouteCapture(id, maxFrames, maxConnections));
	}

	/** Routes that capture, by id. */
	public Map<String, RouteCapture> routes() {
		return Map.copyOf(this.routes);
	}

	/** One frame as captured. */
	public record CapturedFrame(Instant time, String connection, String direction, String opcode, boolean fin,
			long length, String preview) {
	}

	/** One connection's upgrade as captured, and how it ended once it has. */
	public record CapturedConnection(String id, Instant openedAt, String client, String backend, String requestUri,
			Map<String, List<String>> requestHeaders, int status, Map<String, List<String>> responseHeaders,
			@Nullable String close) {

		CapturedConnection closed(String how) {
			return new CapturedConnection(this.id, this.openedAt, this.client, this.backend, this.requestUri,
					this.requestHeaders, this.status, this.responseHeaders, how);
		}

	}

	/** The bounded capture of one route. */
	public static final class RouteCapture {

		private final String routeId;

		final int maxFrames;

		final int maxConnections;

		private final ArrayDeque<CapturedFrame> frames;

		private final LinkedHashMap<String, CapturedConnection> connections = new LinkedHashMap<>();

		private long framesSeen;

		private long framesNotKept;

		RouteCapture(String routeId, int maxFrames, int maxConnections) {
			this.routeId = routeId;
			this.maxFrames = maxFrames;
			this.maxConnections = maxConnections;
			this.frames = new ArrayDeque<>(Math.min(maxFrames, 1024));
		}

		public String routeId() {
			return this.routeId;
		}

		synchronized void add(CapturedFrame frame) {
			this.framesSeen++;
			if (this.frames.size() == this.maxFrames) {
				this.frames.removeFirst();
			}
			this.frames.addLast(frame);
		}

		/** A frame the per-connection bound kept out. */
		synchronized void notKept() {
			this.framesSeen++;
			this.framesNotKept++;
		}

		synchronized void opened(CapturedConnection connection) {
			if (this.connections.size() == this.maxConnections) {
				Iterator<String> eldest = this.connections.keySet().iterator();
				eldest.next();
				eldest.remove();
			}
			this.connections.put(connection.id(), connection);
		}

		synchronized void closed(String id, String how) {
			this.connections.computeIfPresent(id, (key, connection) -> connection.closed(how));
		}

		/** The newest frames first, at most {@code limit}, of a connection and direction if given. */
		public synchronized List<CapturedFrame> frames(@Nullable String connection, @Nullable String direction,
				int limit) {
			List<CapturedFrame> found = new ArrayList<>();
			Iterator<CapturedFrame> newestFirst = this.frames.descendingIterator();
			while (newestFirst.hasNext() && found.size() < limit) {
				CapturedFrame frame = newestFirst.next();
				if ((connection == null || connection.equals(frame.connection()))
						&& (direction == null || direction.equalsIgnoreCase(frame.direction()))) {
					found.add(frame);
				}
			}
			return found;
		}

		/** The newest connections first, at most {@code limit}, or the one with id {@code connection}. */
		public synchronized List<CapturedConnection> connections(@Nullable String connection, int limit) {
			List<CapturedConnection> all = new ArrayList<>(this.connections.values());
			List<CapturedConnection> found = new ArrayList<>();
			for (int i = all.size() - 1; i >= 0 && found.size() < limit; i--) {
				if (connection == null || connection.equals(all.get(i).id())) {
					found.add(all.get(i));
				}
			}
			return found;
		}

		public synchronized long framesSeen() {
			return this.framesSeen;
		}

		public synchronized long framesNotKept() {
			return this.framesNotKept;
		}

		public synchronized int framesKept() {
			return this.frames.size();
		}

	}

	static String uriWithoutSecrets(URI uri, UnaryOperator<String> maskQuery) {
		String query = uri.getRawQuery();
		return uri.getRawPath() + ((query != null) ? "?" + maskQuery.apply(query) : "");
	}

}
