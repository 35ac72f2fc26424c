package io.wsgate.proxy;

import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Makes the {@link MessageInspector} of each new connection of a route: what a route filter
 * puts on the {@link ConnectionPolicy} to have messages inspected.
 */
@FunctionalInterface
public interface MessageInspection {

	/**
	 * @param connection the connection, just established
	 * @param upgradeRequest the upgrade request's headers as forwarded to the backend (without
	 * credentials a route's authentication removed), read-only
	 * @param eventLoop the connection's event loop, where the inspector is called: asynchronous
	 * work continues there
	 * @return its inspector, or null to inspect nothing on this connection
	 */
	@Nullable MessageInspector open(ProxiedConnection connection, HttpHeaders upgradeRequest, Executor eventLoop);

}
