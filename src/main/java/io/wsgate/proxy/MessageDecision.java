package io.wsgate.proxy;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * What happens to a whole message that message inspection looked at: it passes, is replaced
 * by another (of the same or the other type), is dropped, or ends the connection with a close
 * code and reason to both sides — now, or {@link #later} when an asynchronous check completes.
 */
public final class MessageDecision {

	/** The kinds of decision. */
	public enum Kind {

		PASS, REPLACE, DROP, CLOSE, LATER

	}

	private static final MessageDecision PASS = new MessageDecision(Kind.PASS, null, 0, null, null);

	private static final MessageDecision DROP = new MessageDecision(Kind.DROP, null, 0, null, null);

	private final Kind kind;

	private final @Nullable WebSocketMessage replacement;

	private final int code;

	private final @Nullable String reason;

	private final @Nullable CompletionStage<MessageDecision> later;

	private MessageDecision(Kind kind, @Nullable WebSocketMessage replacement, int code, @Nullable String reason,
			@Nullable CompletionStage<MessageDecision> later) {
		this.kind = kind;
		this.replacement = replacement;
		this.code = code;
		this.reason = reason;
		this.later = later;
	}

	/** The message goes on unchanged. */
	public static MessageDecision pass() {
		return PASS;
	}

	/** This message goes on instead. */
	public static MessageDecision replace(WebSocketMessage replacement) {
		return new MessageDecision(Kind.REPLACE, Objects.requireNonNull(replacement, "replacement"), 0, null, null);
	}

	/** The message is dropped; the connection goes on. */
	public static MessageDecision drop() {
		return DROP;
	}

	/**
	 * The connection ends: both sides get a close with {@code code} and {@code reason}.
	 * @throws IllegalArgumentException for a code a close frame may not carry or a reason over 123 bytes
	 */
	public static MessageDecision close(int code, String reason) {
		ConnectionPolicy.checkClose("close decision", code, reason);
		return new MessageDecision(Kind.CLOSE, null, code, reason, null);
	}

	/**
	 * The decision is made asynchronously. Meanwhile nothing more is read from the sender of
	 * the message (its later messages wait, in order); other connections are not affected.
	 */
	public static MessageDecision later(CompletionStage<MessageDecision> decision) {
		return new MessageDecision(Kind.LATER, null, 0, null, Objects.requireNonNull(decision, "decision"));
	}

	public Kind kind() {
		return this.kind;
	}

	public @Nullable WebSocketMessage replacement() {
		return this.replacement;
	}

	public int code() {
		return this.code;
	}

	public @Nullable String reason() {
		return this.reason;
	}

	public @Nullable CompletionStage<MessageDecision> stage() {
		return this.later;
	}

	@Override
	public String toString() {
		return switch (this.kind) {
			case CLOSE -> "close " + this.code + " \"" + this.reason + "\"";
			case REPLACE -> "replace with " + this.replacement;
			default -> this.kind.name().toLowerCase(Locale.ROOT);
		};
	}

}
