package io.wsgate.lifetime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.ProxiedConnection;

/**
 * Drains WebSocket connections when the application context closes (SIGTERM, or
 * {@code close()}). By then Spring Boot has set readiness to refusing traffic; this stops
 * new upgrades (503), sends every open connection 1001 "server shutting down" on both sides,
 * and waits up to {@code wsgate.websocket.drain-timeout} for them to finish their close
 * handshakes. Only then does the web server's own graceful shutdown run, and connections
 * still open after the timeout are dropped with it.
 */
class GracefulDrain implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GracefulDrain.class);

	private static final long POLL_MILLIS = 20;

	private final ConnectionRegistry registry;

	private final Duration timeout;

	private volatile boolean running;

	GracefulDrain(ConnectionRegistry registry, Duration timeout) {
		this.registry = registry;
		this.timeout = timeout;
	}

	/** Stops just before the web server's graceful shutdown, which would otherwise wait on the connections. */
	@Override
	public int getPhase() {
		return WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;
	}

	/** Admits connections; also after a stop, when a context is stopped and started again (as tests do). */
	@Override
	public void start() {
		this.registry.stopDraining();
		this.running = true;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public void stop() {
		drain();
		this.running = false;
	}

	void drain() {
		this.registry.startDraining();
		int open = this.registry.size();
		if (open == 0) {
			log.info("shutdown: no WebSocket connections to drain");
			return;
		}
		log.info("shutdown: draining {} WebSocket connections (1001 \"{}\"), waiting up to {}", open,
				ConnectionRegistry.SHUTDOWN_REASON, this.timeout);
		long start = System.nanoTime();
		for (ProxiedConnection connection : this.registry.connections()) {
			connection.close(ConnectionRegistry.SHUTDOWN_CAUSE, 1001, ConnectionRegistry.SHUTDOWN_REASON, 1001,
					ConnectionRegistry.SHUTDOWN_REASON);
		}
		long deadline = start + this.timeout.toNanos();
		while (this.registry.size() > 0 && System.nanoTime() - deadline < 0) {
			try {
				Thread.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
		int left = this.registry.size();
		if (left == 0) {
			log.info("shutdown: all {} WebSocket connections closed in {} ms", open, took);
		}
		else {
			log.warn("shutdown: {} WebSocket connections still open after {} ms (wsgate.websocket.drain-timeout); "
					+ "dropping them", left, took);
		}
	}

}
