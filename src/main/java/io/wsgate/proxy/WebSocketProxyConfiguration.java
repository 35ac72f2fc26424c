package io.wsgate.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.HttpHandler;

/** The WebSocket relay's beans. */
@Configuration(proxyBeanMethods = false)
class WebSocketProxyConfiguration {

	private static final Logger log = LoggerFactory.getLogger(WebSocketProxyConfiguration.class);

	@Bean
	ConnectionRegistry connectionRegistry(WebSocketProperties properties) {
		return new ConnectionRegistry(properties.getMaxConnections());
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
			BackendConnector connector, MessageBudget budget) {
		return new WebSocketProxyFilter(properties, registry, connector, MessageBuffering.of(properties, budget));
	}

	/** A plain HTTP listener beside the main server, when {@code wsgate.server.http.port} is set. */
	@Bean
	@ConditionalOnProperty("wsgate.server.http.port")
	PlainHttpListener plainHttpListener(ListenerProperties listeners, HttpHandler httpHandler, ServerProperties server,
			Environment environment) {
		if (server.getSsl() == null || !server.getSsl().isEnabled()
				|| (server.getSsl().getBundle() == null && server.getSsl().getCertificate() == null
						&& server.getSsl().getKeyStore() == null)) {
			log.warn("wsgate.server.http.port is set but the main server has no TLS (server.ssl.bundle): both "
					+ "listeners serve plain HTTP");
		}
		// the port the main server bound (server.port may be 0: any free port)
		int configured = (server.getPort() != null) ? server.getPort() : 443;
		return new PlainHttpListener(listeners.getHttp(), httpHandler,
				() -> environment.getProperty("local.server.port", Integer.class, configured));
	}

	@Bean
	@ConditionalOnProperty(name = "wsgate.server.hsts.enabled", matchIfMissing = true)
	HstsFilter hstsFilter(ListenerProperties listeners) {
		return new HstsFilter(listeners.getHsts().value());
	}

	@Bean
	MaxMessageSizeGatewayFilterFactory maxMessageSizeGatewayFilterFactory(WebSocketProperties properties) {
		return new MaxMessageSizeGatewayFilterFactory(properties);
	}

}
