package io.wsgate.proxy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.jspecify.annotations.Nullable;

/**
 * A whole WebSocket message (fragments joined, unmasked), as message inspection sees it.
 * Immutable from the outside: the payload is only handed out as a read-only view or a copy.
 */
public final class WebSocketMessage {

	/** A message's type: its first frame's opcode. */
	public enum Type {

		TEXT(Opcodes.TEXT), BINARY(Opcodes.BINARY);

		final int opcode;

		Type(int opcode) {
			this.opcode = opcode;
		}

	}

	private final Type type;

	private final byte[] payload;

	private final int length;

	private @Nullable String text;

	WebSocketMessage(Type type, byte[] payload, int length) {
		this.type = type;
		this.payload = payload;
		this.length = length;
	}

	/** A text message of {@code text} (UTF-8). */
	public static WebSocketMessage text(String text) {
		byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
		WebSocketMessage message = new WebSocketMessage(Type.TEXT, bytes, bytes.length);
		message.text = text;
		return message;
	}

	/** A binary message of a copy of {@code payload}. */
	public static WebSocketMessage binary(byte[] payload) {
		return new WebSocketMessage(Type.BINARY, payload.clone(), payload.length);
	}

	/** A message of {@code type} with a copy of {@code payload}. */
	public static WebSocketMessage of(Type type, byte[] payload) {
		return new WebSocketMessage(type, payload.clone(), payload.length);
	}

	public Type type() {
		return this.type;
	}

	public boolean isText() {
		return this.type == Type.TEXT;
	}

	/** The payload's size in bytes. */
	public int length() {
		return this.length;
	}

	/** A read-only view of the payload. */
	public ByteBuffer payload() {
		return ByteBuffer.wrap(this.payload, 0, this.length).asReadOnlyBuffer();
	}

	/** The payload as a stream, for parsers; no copy. */
	public InputStream payloadStream() {
		return new ByteArrayInputStream(this.payload, 0, this.length);
	}

	/** A copy of the payload. */
	public byte[] bytes() {
		return Arrays.copyOf(this.payload, this.length);
	}

	/**
	 * The payload decoded as UTF-8 (malformed sequences replaced); meant for text messages.
	 * Decoded once, on first use.
	 */
	public String text() {
		String decoded = this.text;
		if (decoded == null) {
			decoded = new String(this.payload, 0, this.length, StandardCharsets.UTF_8);
			this.text = decoded;
		}
		return decoded;
	}

	byte[] array() {
		return this.payload;
	}

	@Override
	public String toString() {
		return this.type + "[" + this.length + " bytes]"; // never the payload
	}

}
