package io.wsgate.bridge;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.WebSocketProxyFilter;

/**
 * {@code WebSocketBridge}: the gateway itself accepts a route's WebSocket connections and turns
 * each message into an HTTP request to the route's (HTTP) URI, chosen by a value in the message
 * ({@code route-selection}, a JSON Pointer); the answer's body goes back to the client as one
 * message. Optional {@code connect} and {@code disconnect} calls bracket each connection. Every
 * other route filter applies as on a proxied route. See {@link BridgeSettings} for the
 * arguments; a request to the route that is not a WebSocket upgrade gets 426.
 */
public class WebSocketBridgeGatewayFilterFactory
		extends AbstractGatewayFilterFactory<WebSocketBridgeGatewayFilterFactory.Config> {

	private final BridgeClient client;

	private final BridgeMetrics metrics;

	private final long maxRejectionBody;

	WebSocketBridgeGatewayFilterFactory(BridgeClient client, BridgeMetrics metrics, long maxRejectionBody) {
		super(Config.class);
		this.client = client;
		this.metrics = metrics;
		this.maxRejectionBody = maxRejectionBody;
	}

	@Override
	public GatewayFilter apply(Config config) {
		BridgeSettings settings = BridgeSettings.of(config);
		HttpBridge bridge = new HttpBridge(settings, this.client, this.metrics, this.maxRejectionBody);
		return new GatewayFilter() {
			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				if (!WebSocketProxyFilter.isWebSocketUpgrade(exchange.getRequest().getHeaders())) {
					exchange.getResponse().getHeaders().set(HttpHeaders.UPGRADE, "websocket");
					exchange.getResponse().getHeaders().set(HttpHeaders.CONNECTION, "Upgrade");
					return WebSocketProxyFilter.answer(exchange, 426, "this route serves WebSocket connections only");
				}
				ConnectionPolicy.of(exchange).endpoint(bridge);
				return chain.filter(exchange);
			}

			@Override
			public String toString() {
				return "WebSocketBridge" + settings;
			}
		};
	}

	/** Arguments of {@code WebSocketBridge}; see docs/bridge.md for each. */
	public static class Config {

		/** JSON Pointer (RFC 6901) to the value in a text message that picks its path. */
		private @Nullable String routeSelection;

		/** Path POSTed before the upgrade is answered; none: every upgrade is accepted. */
		private @Nullable String connect;

		/** Path POSTed once after the connection ended; none: nothing is called. */
		private @Nullable String disconnect;

		/** Path for non-JSON or binary messages, and values with no route; none: such a message closes with 1008. */
		private @Nullable String defaultPath;

		/** Value at {@code route-selection} to path. */
		private Map<String, String> routes = new LinkedHashMap<>();

		/** How long each call may take (connect, answer included). */
		private Duration requestTimeout = Duration.ofSeconds(10);

		/** Requests of one connection outstanding at once; 1 keeps the client's order. */
		private int maxInFlight = 1;

		public @Nullable String getRouteSelection() {
			return this.routeSelection;
		}

		public Config setRouteSelection(@Nullable String routeSelection) {
			this.routeSelection = routeSelection;
			return this;
		}

		public @Nullable String getConnect() {
			return this.connect;
		}

		public Config setConnect(@Nullable String connect) {
			this.connect = connect;
			return this;
		}

		public @Nullable String getDisconnect() {
			return this.disconnect;
		}

		public Config setDisconnect(@Nullable String disconnect) {
			this.disconnect = disconnect;
			return this;
		}

		/** {@code default} in the route definition (a Java keyword, hence the name here). */
		public @Nullable String getDefault() {
			return this.defaultPath;
		}

		public Config setDefault(@Nullable String defaultPath) {
			this.defaultPath = defaultPath;
			return this;
		}

		public Map<String, String> getRoutes() {
			return this.routes;
		}

		public Config setRoutes(Map<String, String> routes) {
			this.routes = routes;
			return this;
		}

		public Duration getRequestTimeout() {
			return this.requestTimeout;
		}

		public Config setRequestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
			return this;
		}

		public int getMaxInFlight() {
			return this.maxInFlight;
		}

		public Config setMaxInFlight(int maxInFlight) {
			this.maxInFlight = maxInFlight;
			return this;
		}

	}

}
