package io.wsgate.auth;

import org.jspecify.annotations.Nullable;

/**
 * An upgrade refused before it reached the backend.
 * @param status 400, 401, 403 or 503
 * @param reason the metric tag and log word: {@code missing}, {@code malformed}, {@code invalid},
 * {@code expired}, {@code forbidden}, {@code origin}, {@code unavailable} or {@code busy}
 * @param description one line for the client and the log; never a credential
 * @param challenge the {@code WWW-Authenticate} value, if the answer carries one
 */
record Refusal(int status, String reason, String description, @Nullable String challenge) {

	static final String MISSING = "missing";

	static final String MALFORMED = "malformed";

	static final String INVALID = "invalid";

	static final String EXPIRED = "expired";

	static final String FORBIDDEN = "forbidden";

	static final String ORIGIN = "origin";

	static final String UNAVAILABLE = "unavailable";

	static final String BUSY = "busy";

	/**
	 * A challenge of RFC 6750 / RFC 7617 form: {@code scheme realm="...", key="value", ...};
	 * values are quoted strings, with quotes and backslashes dropped.
	 */
	static String challenge(String scheme, String realm, String... params) {
		StringBuilder challenge = new StringBuilder(scheme).append(" realm=\"").append(quotable(realm)).append('"');
		for (int i = 0; i + 1 < params.length; i += 2) {
			challenge.append(", ").append(params[i]).append("=\"").append(quotable(params[i + 1])).append('"');
		}
		return challenge.toString();
	}

	private static String quotable(String value) {
		StringBuilder out = new StringBuilder(value.length());
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
				out.append(c);
			}
		}
		return out.toString();
	}

}
