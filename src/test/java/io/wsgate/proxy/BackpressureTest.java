package io.wsgate.proxy;

import java.time.Duration;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import org.junit.jupiter.api.Test;

import io.wsgate.support.GatewayTest;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that does not read makes the gateway stop reading from the backend: the bytes the
 * gateway holds for that connection stay bounded however much the backend wants to send, and
 * the flood completes once the client reads.
 */
class BackpressureTest extends GatewayTest {

	private static final long FLOOD_MB = 512;

	/**
	 * The stated bound: the memory Netty's allocator has in use (the one every gateway channel
	 * allocates from) may grow by at most this much while a backend floods a stalled client. It covers the channel's outbound buffer (high water
	 * mark 64 KiB), one read (at most 64 KiB) and the allocator's chunk granularity.
	 */
	private static final long BOUND_BYTES = 16L * 1024 * 1024;

	@Test
	void backendFloodAtAStalledClientKeepsGatewayMemoryBoundedAndCompletesOnceTheClientReads()
			throws Exception {
		String id = newId();
		long before = pooledBytesInUse();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/big/flood?mb=" + FLOOD_MB + "&id=" + id)) {
			var session = scripted.session(id);
			long peak = 0;
			for (int i = 0; i < 30; i++) { // 3 s of stall, the client reads nothing
				Thread.sleep(100);
				peak = Math.max(peak, pooledBytesInUse() - before);
			}
			assertThat(session.awaitFloodWritten(Duration.ZERO)).as("the backend is held back").isFalse();
			System.out.printf("backpressure: allocator memory growth while stalled: peak %d KiB%n", peak / 1024);
			assertThat(peak).as("allocator memory growth while stalled").isLessThan(BOUND_BYTES);

			ws.setReadTimeout(Duration.ofSeconds(30));
			long frames = ws.drainData(FLOOD_MB * 1024 * 1024);
			assertThat(frames).isEqualTo(FLOOD_MB * 16);
			assertThat(session.awaitFloodWritten(Duration.ofSeconds(10))).isTrue();
			ws.sendClose(1000, "");
		}
	}

	private static long pooledBytesInUse() {
		assertThat(ByteBufAllocator.DEFAULT).isInstanceOf(ByteBufAllocatorMetricProvider.class);
		var metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
		return metric.usedDirectMemory() + metric.usedHeapMemory();
	}

}
