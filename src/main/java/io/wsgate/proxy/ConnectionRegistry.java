package io.wsgate.proxy;

import java.net.InetAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live proxied connection, by id, bounded by {@code wsgate.websocket.max-connections}
 * and, per client address, by {@code wsgate.server.max-connections-per-client}: a slot is
 * reserved before the backend is dialled and freed when the connection ends, so the bounds
 * hold for connections still in their handshake too. The per-client counts hold only clients
 * with a slot (an entry goes when its count reaches zero), so there are never more of them
 * than {@code max-connections}. Once draining (shutdown), no slot is handed out any more and
 * every connection that opens is closed at once.
 */
public class ConnectionRegistry {

	/** The cause, code and reason of the closes a shutdown sends. */
	public static final String SHUTDOWN_CAUSE = "shutdown";

	public static final String SHUTDOWN_REASON = "server shutting down";

	private static final Logger log = LoggerFactory.getLogger(ConnectionRegistry.class);

	private final List<ConnectionListener> listeners = new CopyOnWriteArrayList<>();

	private volatile boolean draining;

	private final ConcurrentHashMap<String, ProxiedConnection> connections = new ConcurrentHashMap<>();

	private final AtomicInteger slots = new AtomicInteger();

	private final AtomicLong sequence = new AtomicLong();

	/**
	 * 48 random bits: ids stay unique across the replicas of a cluster (and their restarts),
	 * where the connections API addresses a connection by its id alone.
	 */
	private final String prefix = String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL);

	private final int maxConnections;

	private final int maxPerClient;

	/** Slots taken per client address (see {@link ClientAddresses#limitKey}); no entry at zero. */
	private final ConcurrentHashMap<InetAddress, Integer> perClient = new ConcurrentHashMap<>();

	/** The slots of connections that started, by connection id, freed when they unregister. */
	private final ConcurrentHashMap<String, Slot> started = new ConcurrentHashMap<>();

	public ConnectionRegistry(int maxConnections) {
		this(maxConnections, 0);
	}

	/** @param maxPerClient most slots one client address may hold; 0: no per-client bound */
	public ConnectionRegistry(int maxConnections, int maxPerClient) {
		this.maxConnections = maxConnections;
		this.maxPerClient = maxPerClient;
	}

	/** All live connections (a view; it changes as connections come and go). */
	public Collection<ProxiedConnection> connections() {
		return Collections.unmodifiableCollection(this.connections.values());
	}

	public Optional<ProxiedConnection> find(String id) {
		return Optional.ofNullable(this.connections.get(id));
	}

	/** Connections open or in their handshake. */
	public int size() {
		return this.slots.get();
	}

	public int maxConnections() {
		return this.maxConnections;
	}

	public int maxConnectionsPerClient() {
		return this.maxPerClient;
	}

	/** Slots (connections open or in their handshake) the client address holds. */
	public int sizeOf(InetAddress client) {
		return this.perClient.getOrDefault(ClientAddresses.limitKey(client), 0);
	}

	/** How many client addresses hold a slot now. */
	public int clients() {
		return this.perClient.size();
	}

	/** Adds a listener of connection events; it is called on event loops and must not block. */
	public void addListener(ConnectionListener listener) {
		this.listeners.add(listener);
	}

	/**
	 * Stops admitting connections: new upgrades are refused, and connections that complete
	 * their handshake from now on are closed with 1001 at once. The open ones are the caller's
	 * to close.
	 */
	public void startDraining() {
		this.draining = true;
	}

	/** Admits connections again (a stopped application context that is started again). */
	public void stopDraining() {
		this.draining = false;
	}

	public boolean isDraining() {
		return this.draining;
	}

	/**
	 * A slot for a connection that may start now: not draining, a slot is free, and the client
	 * holds fewer than its bound. Else a refused slot saying why.
	 * @param client the client's address (null: counted against the global bound only)
	 */
	Slot tryReserve(@Nullable InetAddress client) {
		if (this.draining) {
			return Slot.DRAINING;
		}
		InetAddress key = (client != null && this.maxPerClient > 0) ? ClientAddresses.limitKey(client) : null;
		if (key != null && !takePerClient(key)) {
			return Slot.CLIENT_FULL;
		}
		int taken;
		do {
			taken = this.slots.get();
			if (taken >= this.maxConnections) {
				if (key != null) {
					releasePerClient(key);
				}
				return Slot.FULL;
			}
		}
		while (!this.slots.compareAndSet(taken, taken + 1));
		return new Slot(this, key, null);
	}

	private boolean takePerClient(InetAddress key) {
		boolean[] taken = new boolean[1];
		this.perClient.compute(key, (address, count) -> {
			int current = (count != null) ? count : 0;
			if (current >= this.maxPerClient) {
				return count;
			}
			taken[0] = true;
			return current + 1;
		});
		return taken[0];
	}

	private void releasePerClient(InetAddress key) {
		this.perClient.computeIfPresent(key, (address, count) -> (count <= 1) ? null : count - 1);
	}

	/** Frees a slot (once: releasing it again does nothing). */
	private void release(Slot slot) {
		this.slots.decrementAndGet();
		if (slot.client != null) {
			releasePerClient(slot.client);
		}
	}

	String nextId() {
		return this.prefix + "-" + Long.toHexString(this.sequence.incrementAndGet());
	}

	/** The connection {@code id} will have holds {@code slot}: it is freed when that connection unregisters. */
	void assign(String id, Slot slot) {
		this.started.put(id, slot);
	}

	void register(ProxiedConnection connection) {
		this.connections.put(connection.id(), connection);
		notify(listener -> listener.opened(connection));
	}

	void unregister(ProxiedConnection connection) {
		if (this.connections.remove(connection.id()) != null) {
			Slot slot = this.started.remove(connection.id());
			if (slot != null) {
				slot.release();
			}
			else {
				this.slots.decrementAndGet();
			}
			notify(listener -> listener.closed(connection));
		}
	}

	void closedByGateway(ProxiedConnection connection, String cause, int code) {
		notify(listener -> listener.closedByGateway(connection, cause, code));
	}

	void handshake(String routeId, int status, String outcome, long nanos) {
		notify(listener -> listener.handshake(routeId, status, outcome, nanos));
	}

	private void notify(Consumer<ConnectionListener> event) {
		for (ConnectionListener listener : this.listeners) {
			try {
				event.accept(listener);
			}
			catch (RuntimeException ex) {
				log.warn("connection listener {} failed: {}", listener, ex.toString());
			}
		}
	}

	/** Why a slot was refused. */
	enum Refusal {

		/** The gateway is shutting down. */
		DRAINING,

		/** {@code wsgate.websocket.max-connections} are open or in their handshake. */
		FULL,

		/** The client holds {@code wsgate.server.max-connections-per-client}. */
		CLIENT_FULL

	}

	/** A reserved slot (free it with {@link #release()}, once is enough), or a refusal. */
	static final class Slot {

		static final Slot DRAINING = new Slot(null, null, Refusal.DRAINING);

		static final Slot FULL = new Slot(null, null, Refusal.FULL);

		static final Slot CLIENT_FULL = new Slot(null, null, Refusal.CLIENT_FULL);

		private final @Nullable ConnectionRegistry registry;

		private final @Nullable InetAddress client;

		private final @Nullable Refusal refusal;

		private final AtomicBoolean released = new AtomicBoolean();

		private Slot(@Nullable ConnectionRegistry registry, @Nullable InetAddress client, @Nullable Refusal refusal) {
			this.registry = registry;
			this.client = client;
			this.refusal = refusal;
		}

		/** Why it was refused; null for a reserved slot. */
		@Nullable Refusal refusal() {
			return this.refusal;
		}

		void release() {
			if (this.registry != null && this.released.compareAndSet(false, true)) {
				this.registry.release(this);
			}
		}

	}

}
