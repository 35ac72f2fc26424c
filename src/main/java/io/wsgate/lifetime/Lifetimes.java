package io.wsgate.lifetime;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/** Argument checks and descriptions shared by the lifetime filter factories. */
final class Lifetimes {

	private Lifetimes() {
	}

	/** Builds a policy from a filter's arguments; a bad argument fails naming the filter. */
	static <T> T build(String filter, Supplier<T> policy) {
		try {
			return policy.get();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(filter + ": " + ex.getMessage(), ex);
		}
	}

	static Duration required(String argument, @Nullable Duration value) {
		if (value == null) {
			throw new IllegalArgumentException("'" + argument + "' is required (a duration such as 30s; 0 = off)");
		}
		return value;
	}

	static String describe(Duration duration) {
		return duration.isZero() ? "off" : duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

}
