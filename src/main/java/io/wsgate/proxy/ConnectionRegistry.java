package io.wsgate.proxy;

import java.util.Collection;
import java.util.Collections;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every live proxied connection, by id, bounded by {@code wsgate.websocket.max-connections}:
 * a slot is reserved before the backend is dialled and freed when the connection ends, so
 * the bound holds for connections still in their handshake too.
 */
public class ConnectionRegistry {

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

	boolean tryReserve() {
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
	}

	void unregister(ProxiedConnection connection) {
		if (this.connections.remove(connection.id()) != null) {
			this.slots.decrementAndGet();
		}
	}

}
