package io.wsgate.auth;

import org.jspecify.annotations.Nullable;

/**
 * What an authenticator made of a credential: a principal, or the refusal to answer with.
 * @param principal who the client is, when accepted
 * @param refusal why not, when refused
 */
record AuthResult(@Nullable WebSocketPrincipal principal, @Nullable Refusal refusal) {

	static AuthResult accepted(WebSocketPrincipal principal) {
		return new AuthResult(principal, null);
	}

	static AuthResult refused(Refusal refusal) {
		return new AuthResult(null, refusal);
	}

}
