package io.wsgate.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Reading and writing HTTP heads and WebSocket frames on blocking streams, for raw test peers. */
public final class WireIO {

	private WireIO() {
	}

	/** Reads up to and including the blank line; the first line, then headers (lower-case names). */
	public static Head readHead(InputStream in) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = in.read();
			if (b < 0) {
				throw new EOFException("connection closed in the HTTP head: " + bytes);
			}
			bytes.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
		}
		String[] lines = bytes.toString(StandardCharsets.ISO_8859_1).split("\r\n");
		Map<String, String> headers = new LinkedHashMap<>();
		for (int i = 1; i < lines.length; i++) {
			int colon = lines[i].indexOf(':');
			if (colon > 0) {
				String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
				String value = lines[i].substring(colon + 1).trim();
				headers.merge(name, value, (a, b) -> a + ", " + b);
			}
		}
		return new Head(lines[0], headers);
	}

	public static void writeFrame(OutputStream out, boolean fin, int opcode, byte[] payload, boolean mask)
			throws IOException {
		out.write(encodeFrame(fin, opcode, payload, mask));
		out.flush();
	}

	public static byte[] encodeFrame(boolean fin, int opcode, byte[] payload, boolean mask) {
		ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
		frame.write((fin ? 0x80 : 0) | opcode);
		int maskBit = mask ? 0x80 : 0;
		if (payload.length < 126) {
			frame.write(maskBit | payload.length);
		}
		else if (payload.length < 65536) {
			frame.write(maskBit | 126);
			frame.write(payload.length >> 8);
			frame.write(payload.length);
		}
		else {
			frame.write(maskBit | 127);
			long length = payload.length;
			for (int shift = 56; shift >= 0; shift -= 8) {
				frame.write((int) (length >> shift));
			}
		}
		if (mask) {
			byte[] key = new byte[4];
			ThreadLocalRandom.current().nextBytes(key);
			frame.writeBytes(key);
			byte[] masked = new byte[payload.length];
			for (int i = 0; i < payload.length; i++) {
				masked[i] = (byte) (payload[i] ^ key[i & 3]);
			}
			frame.writeBytes(masked);
		}
		else {
			frame.writeBytes(payload);
		}
		return frame.toByteArray();
	}

	public static byte[] closePayload(int code, String reason) {
		byte[] text = reason.getBytes(StandardCharsets.UTF_8);
		byte[] payload = new byte[2 + text.length];
		payload[0] = (byte) (code >> 8);
		payload[1] = (byte) code;
		System.arraycopy(text, 0, payload, 2, text.length);
		return payload;
	}

	/** Reads one frame (unmasking it if masked); EOFException at end of stream. */
	public static Frame readFrame(InputStream in) throws IOException {
		int b0 = readByte(in);
		int b1 = readByte(in);
		long length = b1 & 0x7F;
		if (length == 126) {
			length = (readByte(in) << 8) | readByte(in);
		}
		else if (length == 127) {
			length = 0;
			for (int i = 0; i < 8; i++) {
				length = (length << 8) | readByte(in);
			}
		}
		byte[] key = null;
		if ((b1 & 0x80) != 0) {
			key = in.readNBytes(4);
		}
		if (length > Integer.MAX_VALUE - 8) {
			throw new IOException("frame too large for a test: " + length);
		}
		byte[] payload = in.readNBytes((int) length);
		if (payload.length != length) {
			throw new EOFException("connection closed inside a frame");
		}
		if (key != null) {
			for (int i = 0; i < payload.length; i++) {
				payload[i] ^= key[i & 3];
			}
		}
		return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
	}

	private static int readByte(InputStream in) throws IOException {
		int b = in.read();
		if (b < 0) {
			throw new EOFException("connection closed");
		}
		return b;
	}

	/** An HTTP head: the status or request line, and the headers by lower-case name. */
	public record Head(String firstLine, Map<String, String> headers) {

		public int status() {
			return Integer.parseInt(this.firstLine.split(" ")[1]);
		}

		public String path() {
			return this.firstLine.split(" ")[1];
		}

		public String header(String name) {
			return this.headers.get(name.toLowerCase(Locale.ROOT));
		}

	}

}
