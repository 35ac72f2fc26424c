package io.wsgate.proxy;

import org.jspecify.annotations.Nullable;
import org.slf4j.spi.LoggingEventBuilder;
import org.slf4j.spi.NOPLoggingEventBuilder;

/**
 * One operator log line, written once and read two ways: as text ({@code closed id=3e61-4
 * route=chat code=1000 ...}, for the console) and as SLF4J key-values ({@code wsgate.id},
 * {@code wsgate.route}, {@code wsgate.code}, ...), which structured logging
 * ({@code logging.structured.format.console=ecs} or {@code logstash}) writes as fields of
 * their own. Values that are absent print as {@code -} and are left out of the fields.
 *
 * <pre>{@code
 * LogLine.of(log.atInfo(), "closed").with("id", id).with("route", routeId).millis("age", age).log();
 * }</pre>
 * A disabled level costs the builder's no-op only: {@link #of} returns a line that does nothing.
 */
public final class LogLine {

	/** The prefix of every field name, so that none collides with a field of the log schema. */
	public static final String PREFIX = "wsgate.";

	private static final LogLine DISABLED = new LogLine(null, null);

	private final @Nullable LoggingEventBuilder builder;

	private final @Nullable StringBuilder text;

	private LogLine(@Nullable LoggingEventBuilder builder, @Nullable String event) {
		this.builder = builder;
		this.text = (event != null) ? new StringBuilder(event) : null;
	}

	/**
	 * A line for this builder ({@code log.atInfo()}, ...).
	 * @param event what happened, the line's first word(s): {@code opened}, {@code gateway close}
	 */
	public static LogLine of(LoggingEventBuilder builder, String event) {
		if (builder instanceof NOPLoggingEventBuilder) {
			return DISABLED;
		}
		return new LogLine(builder, event);
	}

	/** {@code name=value} in the text, field {@code wsgate.name}. */
	public LogLine with(String name, @Nullable Object value) {
		if (this.text != null) {
			this.text.append(' ').append(name).append('=').append((value != null) ? value : "-");
			field(name, value);
		}
		return this;
	}

	/** {@code name="value"} in the text (a reason, which may hold spaces), field {@code wsgate.name}. */
	public LogLine quoted(String name, @Nullable Object value) {
		if (this.text != null) {
			this.text.append(' ').append(name).append("=\"").append((value != null) ? value : "").append('"');
			field(name, value);
		}
		return this;
	}

	/** {@code name=812ms} in the text, field {@code wsgate.name_ms} (a number). */
	public LogLine millis(String name, long millis) {
		if (this.text != null) {
			this.text.append(' ').append(name).append('=').append(millis).append("ms");
			field(name + "_ms", millis);
		}
		return this;
	}

	/**
	 * {@code name=12f/820B} in the text, fields {@code wsgate.name_frames} and
	 * {@code wsgate.name_bytes} (numbers): traffic in one direction.
	 */
	public LogLine traffic(String name, long frames, long bytes) {
		if (this.text != null) {
			this.text.append(' ').append(name).append('=').append(frames).append("f/").append(bytes).append('B');
			field(name + "_frames", frames);
			field(name + "_bytes", bytes);
		}
		return this;
	}

	/** A field only, not in the text: numbers and booleans as they are, anything else as its text. */
	public LogLine field(String name, @Nullable Object value) {
		if (this.builder != null && value != null) {
			this.builder.addKeyValue(PREFIX + name,
					(value instanceof Number || value instanceof Boolean) ? value : value.toString());
		}
		return this;
	}

	/** Text only (free words after the fields, such as {@code : it holds 500 connections}). */
	public LogLine text(String more) {
		if (this.text != null) {
			this.text.append(more);
		}
		return this;
	}

	/** Writes the line. */
	public void log() {
		if (this.builder != null && this.text != null) {
			this.builder.log(this.text.toString());
		}
	}

}
