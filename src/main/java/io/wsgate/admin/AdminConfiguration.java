package io.wsgate.admin;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.config.PropertiesRouteDefinitionLocator;
import org.springframework.cloud.gateway.filter.factory.GatewayFilterFactory;
import org.springframework.cloud.gateway.handler.predicate.RoutePredicateFactory;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.support.ConfigurationService;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.validation.Validator;

import io.wsgate.cluster.Connections;

/**
 * The runtime route API and its store, and the sessions endpoint. Spring Cloud Gateway's
 * actuator endpoint ({@code /actuator/gateway}) writes through the
 * {@link RuntimeRouteRepository}, which replaces its in-memory repository.
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	/** The longest wait between two attempts to reconnect to Redis. */
	static final Duration REDIS_RECONNECT_DELAY_MAX = Duration.ofSeconds(2);

	/** The stores' JSON: a mapper of its own, so that definitions are stored whole (not redacted). */
	@Bean
	RouteJson routeJson() {
		return new RouteJson(JsonMapper.builder().build());
	}

	/**
	 * The routes of {@code application.yml} with an argument a wsgate filter does not have stop
	 * startup, naming it (runtime routes get a 400 from {@link RouteValidator}).
	 */
	@Bean
	SmartInitializingSingleton configuredRouteArguments(GatewayProperties gateway,
			List<GatewayFilterFactory> filters) {
		return () -> {
			FilterArguments arguments = new FilterArguments(filters);
			for (RouteDefinition route : gateway.getRoutes()) {
				String problem = arguments.problem(route);
				if (problem != null) {
					throw new IllegalStateException("route " + route.getId() + " in "
							+ "spring.cloud.gateway.server.webflux.routes: " + problem);
				}
			}
		};
	}

	@Bean
	SecretReferences secretReferences(Environment environment) {
		return new SecretReferences(environment);
	}

	/** Secret arguments redacted wherever the application writes a route definition as JSON (the actuator). */
	@Bean
	JsonMapperBuilderCustomizer routeRedaction(SecretReferences references) {
		return builder -> builder.addModule(RouteRedaction.module(references));
	}

	@Bean
	RouteStore routeStore(RouteStoreProperties properties, RouteJson json,
			ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<ReactiveRedisConnectionFactory> factory) {
		return switch (properties.getStore()) {
			case FILE -> new FileRouteStore(properties.getFile().getPath(), json);
			case MEMORY -> new MemoryRouteStore(json);
			case REDIS -> new RedisRouteStore(redis.getObject(),
					new ReactiveRedisMessageListenerContainer(factory.getObject()), properties.getRedis().getKey(),
					properties.getRedis().getResyncInterval(), json);
		};
	}

	/**
	 * Redis commands fail at once while the connection is down, where Lettuce would queue them
	 * until it is back or {@code spring.data.redis.timeout} has passed: a route change during a
	 * Redis outage is answered 503 at once ({@link RouteApiErrors}), and no change queued in the
	 * outage is applied behind its caller's back when Redis returns. Redis is used only by the
	 * route store and the cluster ({@code io.wsgate.cluster}), which fails fast alike. A connection that is not known to be down yet (a silent network) still waits
	 * for the command timeout, 2 s by default ({@code application.yml}).
	 */
	@Bean
	LettuceClientOptionsBuilderCustomizer redisFailsFastWhenDisconnected() {
		return options -> options.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS);
	}

	/**
	 * Reconnects to Redis at least every 2 s while it is down (Lettuce's exponential backoff
	 * otherwise grows to 30 s), so that after an outage of any length the replicas write, hear
	 * announcements and resync again within about 2 s of Redis's return; until then changes get
	 * 503. An attempt per 2 s per connection (two per replica) costs a recovering Redis nothing.
	 */
	@Bean
	ClientResourcesBuilderCustomizer redisReconnectsSoon() {
		return resources -> resources
			.reconnectDelay(Delay.exponential(Duration.ZERO, REDIS_RECONNECT_DELAY_MAX, 2, TimeUnit.MILLISECONDS));
	}

	@Bean
	RouteValidator routeValidator(List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			GatewayProperties gateway, BeanFactory beans,
			@Qualifier("webFluxConversionService") ObjectProvider<ConversionService> conversion,
			ObjectProvider<Validator> validator, RouteStoreProperties properties, SecretReferences references,
			RouteJson json, WebEndpointProperties endpoints, Environment environment) {
		BackendAddressPolicy backends = new BackendAddressPolicy(properties.getBackends().getAllow(),
				properties.getBackends().getResolveTimeout());
		// a configuration service of its own: it publishes no argument events for routes it only tries
		return new RouteValidator(predicates, filters, gateway, new ConfigurationService(beans, conversion, validator),
				backends, references, json, sharesPort(environment) ? endpoints.getBasePath() : null);
	}

	/**
	 * Whether the management endpoints are served on the traffic port: no
	 * {@code management.server.port}, or the same one as {@code server.port} (two {@code 0}s are
	 * two random ports, so not the same).
	 */
	static boolean sharesPort(Environment environment) {
		String management = environment.getProperty("management.server.port");
		return management == null || (!management.equals("0")
				&& management.equals(environment.getProperty("server.port", "8080")));
	}

	@Bean
	RuntimeRouteRepository routeDefinitionRepository(RouteStore store, RouteValidator validator,
			GatewayProperties gateway, ApplicationEventPublisher publisher, RouteJson json,
			RouteStoreProperties properties, ObjectProvider<MeterRegistry> meters) {
		RuntimeRouteRepository repository = new RuntimeRouteRepository(store, validator, gateway, publisher, json,
				properties.getInlineSecrets());
		meters.ifAvailable(registry -> Gauge.builder("wsgate.routes.invalid", repository.invalid(), AtomicInteger::get)
			.description("Routes in the route store that are not valid and are skipped")
			.tag("store", properties.getStore().name().toLowerCase(Locale.ROOT))
			.register(registry));
		return repository;
	}

	/**
	 * Takes the place of Spring Cloud Gateway's locator of configured routes, which would list
	 * an id twice once a runtime route replaces it: the {@link RuntimeRouteRepository} lists
	 * configured and runtime routes together.
	 */
	@Bean
	PropertiesRouteDefinitionLocator configuredRoutesInRepository(GatewayProperties gateway) {
		return new PropertiesRouteDefinitionLocator(gateway) {

			@Override
			public Flux<RouteDefinition> getRouteDefinitions() {
				return Flux.empty();
			}

		};
	}

	@Bean
	RouteChangeSubscriber routeChangeSubscriber(RouteStore store, ApplicationEventPublisher publisher) {
		return new RouteChangeSubscriber(store, publisher);
	}

	@Bean
	RouteApiErrors routeApiErrors() {
		return new RouteApiErrors();
	}

	@Bean
	WsSessionsEndpoint wsSessionsEndpoint(Connections connections) {
		return new WsSessionsEndpoint(connections);
	}

}
