package io.wsgate.proxy;

import java.net.URI;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/** Makes the {@link FrameTap} of each new connection of a route that captures traffic. */
public interface FrameTapping {

	/**
	 * @param connection the connection, just established
	 * @param requestUri the client's upgrade request URI (after route filters)
	 * @param request the upgrade request's headers as forwarded, read-only
	 * @param response the headers of the 101 the client got
	 * @return its tap, or null to capture nothing of this connection
	 */
	@Nullable FrameTap open(ProxiedConnection connection, URI requestUri, HttpHeaders request, HttpHeaders response);

	/** How many payload bytes of each frame the tap is shown. */
	int previewBytes();

}
