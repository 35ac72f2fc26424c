package io.wsgate.admin;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.cloud.gateway.config.GatewayProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;
import org.springframework.cloud.gateway.route.RouteDefinition;
import org.springframework.cloud.gateway.route.RouteDefinitionRepository;
import org.springframework.cloud.gateway.support.NotFoundException;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.web.server.ResponseStatusException;

/**
 * The gateway's route definitions: those of the configuration
 * ({@code spring.cloud.gateway.server.webflux.routes}) and those created at runtime through
 * the actuator, kept in a {@link RouteStore}. An id exists once: a runtime route replaces the
 * configured route of the same id, and deleting it brings the configured one back.
 *
 * <p>A definition is saved only if the route can be built from it ({@link RouteValidator});
 * otherwise nothing changes and the caller gets an {@link InvalidRouteException}. Every
 * definition read from the store is validated the same way before it is served (a file edited
 * by hand, a Redis entry written by something else): one that fails is skipped and logged once
 * (its id and the reason, never its arguments), counted by the gauge
 * {@code wsgate.routes.invalid}, and never fails the refresh. Validated definitions are kept by
 * content, so a refresh validates only what changed. The definitions served have their
 * {@code ${secret:NAME}} references resolved; the store keeps the references. After each
 * change the routes are refreshed at once (and, with a shared store, on every replica), so
 * that {@code POST /actuator/gateway/refresh} is not needed, though harmless.
 */
final class RuntimeRouteRepository implements RouteDefinitionRepository {

	private static final Logger log = LoggerFactory.getLogger(RuntimeRouteRepository.class);

	private final RouteStore store;

	private final RouteValidator validator;

	private final GatewayProperties configured;

	private final ApplicationEventPublisher publisher;

	private final RouteJson json;

	private final RouteStoreProperties.InlineSecrets inlineSecrets;

	/** What the store held when last read, served while it cannot be read. */
	private volatile Map<String, RouteDefinition> lastLoaded = Map.of();

	/** Stored definitions (as JSON) that passed validation, with what is served for them. */
	private Map<String, RouteDefinition> validated = Map.of();

	/** Stored definitions (as JSON) that failed validation and have been logged. */
	private Set<String> reported = Set.of();

	/** How many stored definitions the last load skipped. */
	private final AtomicInteger invalid = new AtomicInteger();

	RuntimeRouteRepository(RouteStore store, RouteValidator validator, GatewayProperties configured,
			ApplicationEventPublisher publisher, RouteJson json, RouteStoreProperties.InlineSecrets inlineSecrets) {
		this.store = store;
		this.validator = validator;
		this.configured = configured;
		this.publisher = publisher;
		this.json = json;
		this.inlineSecrets = inlineSecrets;
	}

	/** The number of stored definitions skipped by the last load, for the gauge. */
	AtomicInteger invalid() {
		return this.invalid;
	}

	@Override
	public Flux<RouteDefinition> getRouteDefinitions() {
		return this.store.load()
			.doOnNext(routes -> this.lastLoaded = routes)
			.onErrorResume(RouteStoreException.class, ex -> {
				log.error("{}; serving the {} runtime route(s) read before", ex.getMessage(), this.lastLoaded.size());
				return Mono.just(this.lastLoaded);
			})
			.publishOn(Schedulers.boundedElastic()) // validation may resolve host names and build filters
			.map(this::servable)
			.flatMapMany(runtime -> Flux.concat(
					Flux.fromIterable(this.configured.getRoutes())
						.filter(route -> route.isEnabled() && !runtime.containsKey(route.getId())),
					Flux.fromIterable(runtime.values())));
	}

	/** The stored definitions that pass validation, as they are served; the others skipped and logged once. */
	private synchronized Map<String, RouteDefinition> servable(Map<String, RouteDefinition> stored) {
		Map<String, RouteDefinition> served = new LinkedHashMap<>();
		Map<String, RouteDefinition> validated = new HashMap<>();
		Set<String> reported = new HashSet<>();
		stored.forEach((id, definition) -> {
			String content = this.json.write(definition);
			RouteDefinition valid = this.validated.get(content);
			if (valid == null) {
				try {
					valid = this.validator.validate(definition);
				}
				catch (RuntimeException ex) {
					reported.add(content);
					if (!this.reported.contains(content)) {
						log.error("route store {}: route {} is skipped, it is not valid: {}", this.store.describe(), id,
								(ex instanceof InvalidRouteException) ? ex.getMessage() : ex.getClass().getSimpleName());
					}
					return;
				}
			}
			validated.put(content, valid);
			served.put(id, this.json.copy(valid));
		});
		this.validated = validated;
		this.reported = reported;
		this.invalid.set(reported.size());
		return served;
	}

	@Override
	public Mono<Void> save(Mono<RouteDefinition> route) {
		return route.flatMap(definition -> user().flatMap(user -> validate(definition, user)
			.then(this.store.save(definition))
			.doOnNext(replaced -> {
				log.info("route {} {} by {}: uri={} predicates={} filters={} ({})", definition.getId(),
						replaced ? "updated" : isConfigured(definition.getId()) ? "overridden" : "created", user,
						withoutSecrets(definition.getUri()), predicateNames(definition), filterNames(definition),
						this.store.describe());
				refresh();
			})
			.then()));
	}

	private Mono<Void> validate(RouteDefinition definition, String user) {
		return Mono.<Void>fromRunnable(() -> {
			this.validator.validate(definition);
			checkInlineSecrets(definition, user);
		})
			.subscribeOn(Schedulers.boundedElastic())
			.doOnError(InvalidRouteException.class,
					ex -> log.warn("route definition refused (by {}): {}", user, ex.getMessage()));
	}

	private void checkInlineSecrets(RouteDefinition definition, String user) {
		List<String> inline = RouteValidator.inlineSecrets(definition);
		if (inline.isEmpty()) {
			return;
		}
		if (this.inlineSecrets == RouteStoreProperties.InlineSecrets.REFUSE) {
			throw new InvalidRouteException("route " + definition.getId() + ": " + String.join(", ", inline)
					+ " hold(s) a secret in clear; reference it as ${secret:NAME} (the property wsgate.secrets.NAME), "
					+ "as wsgate.routes.inline-secrets=refuse requires");
		}
		log.warn("route {} (by {}): {} hold(s) a secret in clear, stored as it is in {}; reference secrets as "
				+ "${secret:NAME} (the property wsgate.secrets.NAME) instead", definition.getId(), user,
				String.join(", ", inline), this.store.describe());
	}

	@Override
	public Mono<Void> delete(Mono<String> routeId) {
		return routeId.flatMap(id -> user().flatMap(user -> this.store.delete(id).flatMap(removed -> {
			if (removed) {
				log.info("route {} deleted by {}{} ({})", id, user,
						isConfigured(id) ? "; the configured route of that id is served again" : "",
						this.store.describe());
				refresh();
				return Mono.<Void>empty();
			}
			if (isConfigured(id)) {
				return Mono.error(new ResponseStatusException(HttpStatus.CONFLICT, "route " + id
						+ " is defined in the configuration (spring.cloud.gateway.server.webflux.routes) and cannot "
						+ "be deleted at runtime; a runtime route of the same id replaces it"));
			}
			return Mono.error(new NotFoundException("no route " + id));
		})));
	}

	private void refresh() {
		this.publisher.publishEvent(new RefreshRoutesEvent(this));
	}

	private boolean isConfigured(String id) {
		return this.configured.getRoutes().stream().anyMatch(route -> id.equals(route.getId()));
	}

	/** Who is asking: the management user, or {@code -} outside a request. */
	private static Mono<String> user() {
		return ReactiveSecurityContextHolder.getContext()
			.mapNotNull(context -> context.getAuthentication())
			.map(Authentication::getName)
			.defaultIfEmpty("-");
	}

	/** The URI without user info and query, which may carry credentials. */
	static String withoutSecrets(@Nullable URI uri) {
		if (uri == null) {
			return "-";
		}
		if (uri.isOpaque()) { // lb:ws://pool
			try {
				return uri.getScheme() + ":" + withoutSecrets(new URI(uri.getSchemeSpecificPart()));
			}
			catch (URISyntaxException ex) {
				return uri.getScheme() + ":";
			}
		}
		try {
			return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
		}
		catch (URISyntaxException | RuntimeException ex) {
			return uri.getScheme() + "://" + uri.getHost();
		}
	}

	/** Names only: arguments may hold secrets (a JWT key, API keys), which are never logged. */
	private static String predicateNames(RouteDefinition route) {
		return route.getPredicates().stream().map(PredicateDefinition::getName).collect(Collectors.joining(",", "[", "]"));
	}

	private static String filterNames(RouteDefinition route) {
		return route.getFilters().stream().map(FilterDefinition::getName).collect(Collectors.joining(",", "[", "]"));
	}

}
