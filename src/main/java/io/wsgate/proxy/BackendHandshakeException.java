package io.wsgate.proxy;

import org.springframework.http.HttpHeaders;

/**
 * The backend handshake did not end in a usable 101. {@link #status()} is what the client is
 * answered: the backend's own status (with its headers and body) when it refused, 502 when it
 * could not be reached or answered nonsense, 504 when it did not answer in time.
 */
final class BackendHandshakeException extends RuntimeException {

	private final int status;

	private final HttpHeaders headers;

	private final byte[] body;

	private final boolean backendAnswer;

	private BackendHandshakeException(int status, String message, HttpHeaders headers, byte[] body,
			boolean backendAnswer) {
		super(message, null, false, false);
		this.status = status;
		this.headers = headers;
		this.body = body;
		this.backendAnswer = backendAnswer;
	}

	static BackendHandshakeException unreachable(String message) {
		return new BackendHandshakeException(502, message, new HttpHeaders(), new byte[0], false);
	}

	static BackendHandshakeException timeout(String message) {
		return new BackendHandshakeException(504, message, new HttpHeaders(), new byte[0], false);
	}

	static BackendHandshakeException refused(int status, HttpHeaders headers, byte[] body) {
		return new BackendHandshakeException(status, "backend answered " + status, headers, body, true);
	}

	int status() {
		return this.status;
	}

	HttpHeaders headers() {
		return this.headers;
	}

	byte[] body() {
		return this.body;
	}

	/** Whether this is the backend's own answer (passed on as is) rather than the gateway's. */
	boolean isBackendAnswer() {
		return this.backendAnswer;
	}

}
