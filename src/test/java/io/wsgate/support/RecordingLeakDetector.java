package io.wsgate.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.util.ResourceLeakDetector;

/**
 * Netty's leak detector, keeping what it finds so that {@link NoLeaksExtension} can fail the
 * build. Installed with {@code -Dio.netty.customResourceLeakDetector} (see the pom).
 */
public class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

	static final List<String> leaks = new CopyOnWriteArrayList<>();

	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
		super(resourceType, samplingInterval, maxActive);
	}

	public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
		super(resourceType, samplingInterval);
	}

	@Override
	protected void reportTracedLeak(String resourceType, String records) {
		leaks.add(resourceType + " leaked:" + records);
		super.reportTracedLeak(resourceType, records);
	}

	@Override
	protected void reportUntracedLeak(String resourceType) {
		leaks.add(resourceType + " leaked (no records)");
		super.reportUntracedLeak(resourceType);
	}

}
