package io.wsgate.support;

import java.util.ArrayList;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty found a buffer that was never released while it ran. Leaks
 * are detected when a lost buffer is garbage collected, so this collects garbage and then
 * allocates (detection happens on allocation) before looking. Registered for every test
 * class through {@code META-INF/services}.
 */
public class NoLeaksExtension implements AfterAllCallback {

	@Override
	public void afterAll(ExtensionContext context) throws Exception {
		if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
			return; // run outside Maven without the leak detector
		}
		for (int round = 0; round < 3; round++) {
			System.gc();
			Thread.sleep(50);
			List<ByteBuf> probes = new ArrayList<>();
			for (int i = 0; i < 64; i++) {
				probes.add(ByteBufAllocator.DEFAULT.buffer(16));
			}
			probes.forEach(ByteBuf::release);
		}
		if (!RecordingLeakDetector.leaks.isEmpty()) {
			List<String> found = new ArrayList<>(RecordingLeakDetector.leaks);
			RecordingLeakDetector.leaks.clear();
			throw new AssertionError(found.size() + " Netty buffer leak(s) during " + context.getDisplayName()
					+ ":\n" + String.join("\n", found));
		}
	}

}
