package io.wsgate.proxy;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live proxied connection, by id, bounded by {@code wsgate.websocket.max-connections}:
 * a slot is reserved before the backend is dialled and freed when the connection ends, so
 * the bound holds for connections still in their handshake too. Once draining (shutdown), no
 * slot is handed out any more and every connection that opens is closed at once.
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

	private final String prefix = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));

	private final int maxConnections;

	public ConnectionRegistry(int maxConnections) {
		this.maxConnections = maxConnections;
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

	/** Whether a connection may start now: not draining, and a slot is free (then it is taken). */
	boolean tryReserve() {
		if (this.draining) {
			return false;
		}
		int taken;
		do {
			taken = this.slots.get();
			if (taken >= this.maxConnections) {
				return false;
			}
		}
		while (!this.slots.compareAndSet(taken, taken + 1));
		return true;
	}

	/** Frees a slot whose connection never opened. */
	void release() {
		this.slots.decrementAndGet();
	}

	String nextId() {
		return this.prefix + "-" + Long.toHexString(this.sequence.incrementAndGet());
	}

	void register(ProxiedConnection connection) {
		this.connections.put(connection.id(), connection);
		notify(listener -> listener.opened(connection));
	}

	void unregister(ProxiedConnection connection) {
		if (this.connections.remove(connection.id()) != null) {
			this.slots.decrementAndGet();
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

}
