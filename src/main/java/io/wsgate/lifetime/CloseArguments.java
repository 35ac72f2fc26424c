package io.wsgate.lifetime;

/**
 * The close code and reason a lifetime filter sends to both sides: the arguments
 * {@code code} and {@code reason} that {@code ConnectionExpiry} and {@code IdleTimeout} share.
 * @param <T> the concrete arguments class, which the setters return
 */
public abstract class CloseArguments<T extends CloseArguments<T>> {

	/** Close code both sides get. */
	private int code;

	/** Close reason both sides get (at most 123 bytes of UTF-8). */
	private String reason;

	protected CloseArguments(int code, String reason) {
		this.code = code;
		this.reason = reason;
	}

	public int getCode() {
		return this.code;
	}

	public T setCode(int code) {
		this.code = code;
		return self();
	}

	public String getReason() {
		return this.reason;
	}

	public T setReason(String reason) {
		this.reason = reason;
		return self();
	}

	@SuppressWarnings("unchecked")
	private T self() {
		return (T) this;
	}

}
