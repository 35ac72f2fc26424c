package io.wsgate.admin;

import java.util.List;

import reactor.core.publisher.Flux;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
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
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.validation.Validator;

import io.wsgate.proxy.ConnectionRegistry;

/**
 * The runtime route API and its store, and the sessions endpoint. Spring Cloud Gateway's
 * actuator endpoint ({@code /actuator/gateway}) writes through the
 * {@link RuntimeRouteRepository}, which replaces its in-memory repository.
 */
@Configuration(proxyBeanMethods = false)
class AdminConfiguration {

	@Bean
	RouteJson routeJson(JsonMapper json) {
		return new RouteJson(json);
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

	@Bean
	RouteValidator routeValidator(List<RoutePredicateFactory> predicates, List<GatewayFilterFactory> filters,
			GatewayProperties gateway, BeanFactory beans,
			@Qualifier("webFluxConversionService") ObjectProvider<ConversionService> conversion,
			ObjectProvider<Validator> validator) {
		// a configuration service of its own: it publishes no argument events for routes it only tries
		return new RouteValidator(predicates, filters, gateway, new ConfigurationService(beans, conversion, validator));
	}

	@Bean
	RuntimeRouteRepository routeDefinitionRepository(RouteStore store, RouteValidator validator,
			GatewayProperties gateway, ApplicationEventPublisher publisher) {
		return new RuntimeRouteRepository(store, validator, gateway, publisher);
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
	WsSessionsEndpoint wsSessionsEndpoint(ConnectionRegistry registry) {
		return new WsSessionsEndpoint(registry);
	}

}
