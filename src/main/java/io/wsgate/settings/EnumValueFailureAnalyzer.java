package io.wsgate.settings;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * A wsgate setting with a value that is not one of its values ({@code wsgate.routes.store: mongo},
 * {@code policy: leastconn}) stops startup with the values spelled as the documentation spells
 * them ({@code least-connections}), where Spring Boot's own analysis lists the Java constants
 * ({@code LEAST_CONNECTIONS}). Spring Boot binds either spelling.
 */
final class EnumValueFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		Class<?> type = cause.getTarget().getType().resolve();
		if (type == null || !type.isEnum() || !type.getName().startsWith("io.wsgate.")) {
			return null;
		}
		ConfigurationProperty property = cause.getProperty();
		String value = (property != null) ? String.valueOf(property.getValue()) : "?";
		String origin = (property != null && property.getOrigin() != null) ? " (from " + property.getOrigin() + ")" : "";
		return new FailureAnalysis(
				"The setting " + cause.getName() + " is '" + value + "'" + origin + ", which is not one of its values.",
				"Set " + cause.getName() + " to one of: " + documented(type) + ".", cause);
	}

	/** The constants as the documentation spells them: lower case, words joined by dashes. */
	static String documented(Class<?> type) {
		return Arrays.stream(type.getEnumConstants())
			.map(constant -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.collect(Collectors.joining(", "));
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE; // before Spring Boot's analysis of the same failure
	}

}
