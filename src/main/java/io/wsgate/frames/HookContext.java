package io.wsgate.frames;

import java.security.Principal;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/** What a {@link FrameHook} knows of the message's connection. */
public interface HookContext {

	/** The direction of a message. */
	enum Direction {

		/** Client to backend. */
		INBOUND,

		/** Backend to client. */
		OUTBOUND

	}

	String connectionId();

	String routeId();

	Direction direction();

	/** The upgrade request's headers as forwarded to the backend (credentials removed), read-only. */
	HttpHeaders upgradeHeaders();

	/** Who the client authenticated as ({@code WebSocketAuth}), or null. */
	@Nullable Principal principal();

	/**
	 * Attributes of the connection that hooks may read and write (both directions share them);
	 * gone with the connection. Touched on the event loop only, so not synchronized.
	 */
	Map<String, Object> attributes();

}
