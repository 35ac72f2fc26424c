package io.wsgate.proxy;

/**
 * Tag names that wsgate's meters share, spelled as Spring Cloud Gateway spells them on its own
 * meters ({@code spring.cloud.gateway.requests}), so one dashboard query selects a route in both.
 */
public final class MeterTags {

	/** The route's id, on every per-route meter. */
	public static final String ROUTE = "routeId";

	private MeterTags() {
	}

}
