package io.wsgate.auth;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads every route's bcrypt checks share: {@code threads} of them and at most
 * {@code queue} checks waiting; a check beyond that is rejected at once (never queued without
 * bound, never run on an event loop), and its upgrade is answered 503 "authentication busy".
 */
final class SlowHashPool implements AutoCloseable {

	private final ThreadPoolExecutor executor;

	private final Scheduler scheduler;

	SlowHashPool(int threads, int queue) {
		if (threads < 1 || queue < 0) {
			throw new IllegalArgumentException("slow-hash threads must be at least 1 and queue at least 0");
		}
		BlockingQueue<Runnable> waiting = (queue > 0) ? new ArrayBlockingQueue<>(queue) : new SynchronousQueue<>();
		AtomicInteger count = new AtomicInteger();
		this.executor = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, waiting, task -> {
			Thread thread = new Thread(task, "wsgate-slow-hash-" + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}, new ThreadPoolExecutor.AbortPolicy());
		this.executor.allowCoreThreadTimeOut(true);
		this.scheduler = Schedulers.fromExecutorService(this.executor, "wsgate-slow-hash");
	}

	Scheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public void close() {
		this.scheduler.dispose();
		this.executor.shutdownNow();
	}

	@Override
	public String toString() {
		return "SlowHashPool[threads=" + this.executor.getMaximumPoolSize() + ", queue="
				+ (this.executor.getQueue().remainingCapacity() + this.executor.getQueue().size()) + "]";
	}

}
