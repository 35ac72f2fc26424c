package io.wsgate.pools;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.MultiValueMap;

/**
 * Picks the server of a new connection among those in rotation. Called on event loops for
 * every upgrade: quick, lock-free, allocation-light.
 */
interface LoadBalancePolicy {

	/** Picks from {@code servers} (never empty). */
	PoolServer choose(List<PoolServer> servers, Choice choice);

	/** What a policy may look at: the client's address and the upgrade request's headers and cookies. */
	record Choice(@Nullable InetAddress clientAddress, HttpHeaders headers, MultiValueMap<String, String> cookies) {
	}

	static LoadBalancePolicy of(PoolProperties.LoadBalance settings) {
		return switch (settings.getPolicy()) {
			case ROUND_ROBIN -> new RoundRobin();
			case RANDOM -> (servers, choice) -> servers.get(ThreadLocalRandom.current().nextInt(servers.size()));
			case WEIGHTED -> new Weighted();
			case LEAST_CONNECTIONS -> new LeastConnections();
			case IP_HASH -> new Hash(choice -> (choice.clientAddress() != null)
					? choice.clientAddress().getHostAddress() : null);
			case HEADER_HASH -> {
				String header = settings.getHeaderName();
				yield new Hash(choice -> choice.headers().getFirst(header));
			}
			case COOKIE_HASH -> {
				String cookie = settings.getCookieName();
				yield new Hash(choice -> choice.cookies().getFirst(cookie));
			}
		};
	}

	/** In turn. */
	final class RoundRobin implements LoadBalancePolicy {

		private final AtomicInteger next = new AtomicInteger();

		@Override
		public PoolServer choose(List<PoolServer> servers, Choice choice) {
			return servers.get(Math.floorMod(this.next.getAndIncrement(), servers.size()));
		}

	}

	/**
	 * In turn, each server as often as its weight says, interleaved (nginx's smooth weighted
	 * round robin, computed once per set of servers): weights 3, 1, 1 give A B A C A, A B A C A...
	 */
	final class Weighted implements LoadBalancePolicy {

		private final AtomicInteger next = new AtomicInteger();

		private volatile Schedule schedule = new Schedule(List.of(), new int[0]);

		@Override
		public PoolServer choose(List<PoolServer> servers, Choice choice) {
			Schedule current = this.schedule;
			if (current.servers != servers) {
				current = Schedule.of(servers);
				this.schedule = current;
			}
			int[] order = current.order;
			return servers.get(order[Math.floorMod(this.next.getAndIncrement(), order.length)]);
		}

		private record Schedule(List<PoolServer> servers, int[] order) {

			static Schedule of(List<PoolServer> servers) {
				int total = 0;
				for (PoolServer server : servers) {
					total += server.weight();
				}
				int[] order = new int[total];
				int[] current = new int[servers.size()];
				for (int slot = 0; slot < total; slot++) {
					int best = 0;
					for (int i = 0; i < servers.size(); i++) {
						current[i] += servers.get(i).weight();
						if (current[i] > current[best]) {
							best = i;
						}
					}
					current[best] -= total;
					order[slot] = best;
				}
				return new Schedule(servers, order);
			}

		}

	}

	/** The server with the fewest active connections; ties are broken in turn. */
	final class LeastConnections implements LoadBalancePolicy {

		private final AtomicInteger next = new AtomicInteger();

		@Override
		public PoolServer choose(List<PoolServer> servers, Choice choice) {
			int size = servers.size();
			int start = Math.floorMod(this.next.getAndIncrement(), size);
			PoolServer best = servers.get(start);
			int fewest = best.activeConnections();
			for (int i = 1; i < size && fewest > 0; i++) {
				PoolServer server = servers.get((start + i) % size);
				int active = server.activeConnections();
				if (active < fewest) {
					best = server;
					fewest = active;
				}
			}
			return best;
		}

	}

	/**
	 * The same key, the same server: rendezvous hashing, so a key moves only when its own
	 * server leaves the rotation, not when another one does. A request without a key is
	 * balanced in turn.
	 */
	final class Hash implements LoadBalancePolicy {

		private final Function<Choice, @Nullable String> key;

		private final RoundRobin fallback = new RoundRobin();

		Hash(Function<Choice, @Nullable String> key) {
			this.key = key;
		}

		@Override
		public PoolServer choose(List<PoolServer> servers, Choice choice) {
			String value = this.key.apply(choice);
			if (value == null || value.isEmpty()) {
				return this.fallback.choose(servers, choice);
			}
			long hash = Hashing.hash(value);
			PoolServer best = servers.get(0);
			long bestScore = Long.MIN_VALUE;
			for (PoolServer server : servers) {
				long score = Hashing.mix(hash ^ server.hashSeed());
				if (score > bestScore) {
					best = server;
					bestScore = score;
				}
			}
			return best;
		}

	}

}
