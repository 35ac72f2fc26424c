package io.wsgate.proxy;

/** One end of a proxied connection. */
public enum Side {

	/** The WebSocket client that connected to the gateway. */
	CLIENT,

	/** The backend the gateway connected to for the client. */
	BACKEND;

	public Side other() {
		return (this == CLIENT) ? BACKEND : CLIENT;
	}

	String label() {
		return (this == CLIENT) ? "client" : "backend";
	}

}
