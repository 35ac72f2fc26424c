package io.wsgate.frames;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.util.unit.DataSize;

/**
 * One hook of a {@code FrameInspection} chain ({@code inbound[i]}, {@code outbound[i]}): its
 * {@code type} and that type's arguments, checked when the route is built.
 */
public class HookConfig {

	/** {@code max-size}, {@code json}, {@code json-schema}, {@code deny}, {@code rate-limit} or {@code bean}. */
	private @Nullable String type;

	/** {@code max-size}: the largest message. */
	private @Nullable DataSize size;

	/** {@code deny}: regular expressions; a text message in which one is found violates. */
	private List<String> patterns = new ArrayList<>();

	/** {@code bean}: the bean's name. */
	private @Nullable String name;

	/** {@code json-schema}: the schema, inline or at a {@code classpath:} location or a {@code file:} under {@code wsgate.resources.directory}. */
	private @Nullable String schema;

	/** {@code rate-limit}: messages per second per connection and direction; 0 = no message limit. */
	private long messagesPerSecond;

	/** {@code rate-limit}: messages allowed at once (default: one second's worth). */
	private @Nullable Long messageBurst;

	/** {@code rate-limit}: payload bytes per second per connection and direction. */
	private @Nullable DataSize bytesPerSecond;

	/** {@code rate-limit}: bytes allowed at once (default: one second's worth). */
	private @Nullable DataSize byteBurst;

	/** {@code json}, {@code json-schema}, {@code deny}, {@code rate-limit}: what a violation does: {@code close} or {@code drop}. */
	private @Nullable String action;

	/** The close code of a violation (1007 for json, 1008 for deny). */
	private @Nullable Integer code;

	/** The close reason of a violation. */
	private @Nullable String reason;

	public @Nullable String getType() {
		return this.type;
	}

	public HookConfig setType(@Nullable String type) {
		this.type = type;
		return this;
	}

	public @Nullable DataSize getSize() {
		return this.size;
	}

	public HookConfig setSize(@Nullable DataSize size) {
		this.size = size;
		return this;
	}

	public List<String> getPatterns() {
		return this.patterns;
	}

	public HookConfig setPatterns(List<String> patterns) {
		this.patterns = patterns;
		return this;
	}

	public @Nullable String getName() {
		return this.name;
	}

	public HookConfig setName(@Nullable String name) {
		this.name = name;
		return this;
	}

	public @Nullable String getSchema() {
		return this.schema;
	}

	public HookConfig setSchema(@Nullable String schema) {
		this.schema = schema;
		return this;
	}

	public long getMessagesPerSecond() {
		return this.messagesPerSecond;
	}

	public HookConfig setMessagesPerSecond(long messagesPerSecond) {
		this.messagesPerSecond = messagesPerSecond;
		return this;
	}

	public @Nullable Long getMessageBurst() {
		return this.messageBurst;
	}

	public HookConfig setMessageBurst(@Nullable Long messageBurst) {
		this.messageBurst = messageBurst;
		return this;
	}

	public @Nullable DataSize getBytesPerSecond() {
		return this.bytesPerSecond;
	}

	public HookConfig setBytesPerSecond(@Nullable DataSize bytesPerSecond) {
		this.bytesPerSecond = bytesPerSecond;
		return this;
	}

	public @Nullable DataSize getByteBurst() {
		return this.byteBurst;
	}

	public HookConfig setByteBurst(@Nullable DataSize byteBurst) {
		this.byteBurst = byteBurst;
		return this;
	}

	public @Nullable String getAction() {
		return this.action;
	}

	public HookConfig setAction(@Nullable String action) {
		this.action = action;
		return this;
	}

	public @Nullable Integer getCode() {
		return this.code;
	}

	public HookConfig setCode(@Nullable Integer code) {
		this.code = code;
		return this;
	}

	public @Nullable String getReason() {
		return this.reason;
	}

	public HookConfig setReason(@Nullable String reason) {
		this.reason = reason;
		return this;
	}

}
