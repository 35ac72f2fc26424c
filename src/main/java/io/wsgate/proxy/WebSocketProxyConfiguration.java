package io.wsgate.proxy;

import java.util.List;
import java.util.regex.PatternSyntaxException;

import io.micrometer.observation.ObservationPredicate;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.cloud.gateway.filter.headers.TrustedProxies;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.util.StringUtils;

/** The WebSocket relay's beans. */
@Configuration(proxyBeanMethods = false)
class WebSocketProxyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(WebSocketProxyConfiguration.class);

	@Bean
	ConnectionRegistry connectionRegistry(WebSocketProperties properties, ListenerProperties listeners) {
		return new ConnectionRegistry(properties.getMaxConnections(), listeners.getMaxConnectionsPerClient());
	}

	/** Client addresses, through the proxies {@code spring.cloud.gateway.server.webflux.trusted-proxies} trusts. */
	@Bean
	ClientAddresses clientAddresses(Environment environment) {
		String trusted = environment.getProperty(TrustedProxies.PROPERTY);
		if (!StringUtils.hasText(trusted)) {
			return new ClientAddresses(null);
		}
		try {
			return new ClientAddresses(TrustedProxies.from(trusted));
		}
		catch (PatternSyntaxException ex) {
			throw new IllegalStateException(TrustedProxies.PROPERTY + " is not a valid regular expression: "
					+ ex.getDescription(), ex);
		}
	}

	/** {@code wsgate.server.request-read-timeout} on the main server (and, with its customizers, the plain listener). */
	@Bean
	NettyServerCustomizer requestReadDeadline(ListenerProperties listeners) {
		return RequestReadDeadline.customizer(listeners.getRequestReadTimeout());
	}

	/** TLS 1.3/1.2 and ECDHE AEAD suites on the main server, unless the operator chose. */
	@Bean
	ClientTlsDefaults clientTlsDefaults() {
		return new ClientTlsDefaults();
	}

	@Bean
	ConnectionHeaderFilter connectionHeaderFilter() {
		return new ConnectionHeaderFilter();
	}

	@Bean
	MessageBudget messageBudget(WebSocketProperties properties) {
		MessageBudget budget = MessageBudget.of(properties.getMessageBufferBudget().toBytes());
		log.info("message buffer budget: {} bytes{} (wsgate.websocket.message-buffer-budget)", budget.limit(),
				(properties.getMessageBufferBudget().toBytes() > 0) ? "" : ", a quarter of the maximum heap");
		return budget;
	}

	@Bean(destroyMethod = "close")
	BackendConnector backendConnector(BackendTlsProperties tls, ObjectProvider<SslBundles> sslBundles) {
		if (tls.isInsecureSkipVerify()) {
			log.warn("wsgate.backend-tls.insecure-skip-verify is on: backend certificates and host names are NOT "
					+ "verified. Never use this in production.");
		}
		String name = tls.getBundle();
		if (name == null || name.isBlank()) {
			return new BackendConnector(null, tls.isInsecureSkipVerify());
		}
		SslBundles bundles = sslBundles.getIfAvailable();
		if (bundles == null) {
			throw new IllegalStateException("wsgate.backend-tls.bundle is '" + name + "' but no SSL bundles are configured");
		}
		SslBundle bundle;
		try {
			bundle = bundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new IllegalStateException("wsgate.backend-tls.bundle: no SSL bundle named '" + name
					+ "' (spring.ssl.bundle.pem." + name + " or spring.ssl.bundle.jks." + name + ")", ex);
		}
		BackendConnector connector = new BackendConnector(bundle, tls.isInsecureSkipVerify());
		bundles.addBundleUpdateHandler(name, updated -> {
			connector.reload(updated, tls.isInsecureSkipVerify());
			log.info("backend TLS bundle '{}' reloaded", name);
		});
		return connector;
	}

	@Bean
	WebSocketProxyFilter webSocketProxyFilter(WebSocketProperties properties, ConnectionRegistry registry,
			BackendConnector connector, MessageBudget budget, ClientAddresses clientAddresses,
			ObjectProvider<HttpHeadersFilter> headersFilters, ObjectProvider<ObservationRegistry> observations,
			ObjectProvider<Tracer> tracer) {
		// upgrades are observed only while tracing is on: the observations' meters alone are
		// what wsgate.handshake.duration already measures, at a cost on every upgrade
		ObservationRegistry observed = (tracer.getIfAvailable() != null)
				? observations.getIfAvailable(() -> ObservationRegistry.NOOP) : ObservationRegistry.NOOP;
		return new WebSocketProxyFilter(properties, registry, connector, MessageBuffering.of(properties, budget),
				clientAddresses, headersFilters, observed);
	}

	/** A plain HTTP listener beside the main server, when {@code wsgate.server.http.port} is set. */
	@Bean
	@ConditionalOnProperty("wsgate.server.http.port")
	PlainHttpListener plainHttpListener(ListenerProperties listeners, HttpHandler httpHandler, ServerProperties server,
			Environment environment, ObjectProvider<NettyReactiveWebServerFactory> mainServer) {
		if (server.getSsl() == null || !server.getSsl().isEnabled()
				|| (server.getSsl().getBundle() == null && server.getSsl().getCertificate() == null
						&& server.getSsl().getKeyStore() == null)) {
			log.warn("wsgate.server.http.port is set but the main server has no TLS (server.ssl.bundle): both "
					+ "listeners serve plain HTTP");
		}
		// the port the main server bound (server.port may be 0: any free port)
		int configured = (server.getPort() != null) ? server.getPort() : 443;
		// what Spring Boot applies to the main server from server.* (header size, idle timeout,
		// keep-alive requests, ...) and every NettyServerCustomizer, the request-read deadline among them
		NettyReactiveWebServerFactory factory = mainServer.getIfAvailable();
		List<NettyServerCustomizer> customizers = (factory != null) ? List.copyOf(factory.getServerCustomizers())
				: List.of(RequestReadDeadline.customizer(listeners.getRequestReadTimeout()));
		boolean forwarded = server.getForwardHeadersStrategy() == ServerProperties.ForwardHeadersStrategy.NATIVE;
		return new PlainHttpListener(listeners.getHttp(), httpHandler,
				() -> environment.getProperty("local.server.port", Integer.class, configured), customizers,
				server.getHttp2().isEnabled(), forwarded);
	}

	@Bean
	@ConditionalOnProperty(name = "wsgate.server.hsts.enabled", matchIfMissing = true)
	HstsFilter hstsFilter(ListenerProperties listeners) {
		return new HstsFilter(listeners.getHsts().value());
	}

	/** WebSocket upgrades to the route lookup before the actuator's and the application's own mappings. */
	@Bean
	UpgradeRouteMapping upgradeRouteMapping(RoutePredicateHandlerMapping routes, Environment environment) {
		return new UpgradeRouteMapping(routes,
				environment.getProperty("management.endpoints.web.base-path", "/actuator"));
	}

	/**
	 * No {@code http.server.requests} observation of WebSocket upgrades: wsgate times them
	 * itself ({@code wsgate.handshake.duration}), and the observation's context, tags and
	 * long-task timer cost an upgrade about a twentieth of its CPU. Plain HTTP requests keep it.
	 */
	@Bean
	ObservationPredicate noUpgradeRequestObservation() {
		return (name, context) -> !(context instanceof ServerRequestObservationContext request
				&& request.getCarrier() != null && WebSocketProxyFilter.isWebSocketUpgrade(request.getCarrier().getHeaders()));
	}

	/** The start-up warm-up ({@code wsgate.warmup.*}); its route is served only while it runs. */
	@Bean
	Warmup warmup(WarmupProperties properties, ListenerProperties listeners, Environment environment,
			ApplicationEventPublisher events, ObjectProvider<RouteLocator> routes) {
		return new Warmup(properties, listeners.getMaxConnectionsPerClient(), environment, events, routes);
	}

	@Bean
	MaxMessageSizeGatewayFilterFactory maxMessageSizeGatewayFilterFactory(WebSocketProperties properties) {
		return new MaxMessageSizeGatewayFilterFactory(properties);
	}

}
