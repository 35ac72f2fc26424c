package io.wsgate.admin;

/** A route definition that cannot become a route; the message names the route and the problem. */
public class InvalidRouteException extends IllegalArgumentException {

	InvalidRouteException(String message) {
		super(message);
	}

}
