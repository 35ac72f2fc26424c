package io.wsgate.metrics;

import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.wsgate.proxy.ConnectionRegistry;
import io.wsgate.proxy.MessageBudget;

/** wsgate's own meters, beside those of Spring Boot and Spring Cloud Gateway. */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {

	@Bean
	ConnectionMetrics connectionMetrics(MeterRegistry meters, ConnectionRegistry registry) {
		return new ConnectionMetrics(meters, registry);
	}

	/**
	 * After each refresh of the routes (a route created, changed or deleted at runtime, or a
	 * refresh), the metrics learn which routes exist: a deleted route's meters go.
	 */
	@Bean
	ApplicationListener<RefreshRoutesResultEvent> metricsOfRoutes(ConnectionMetrics metrics, RouteLocator routes) {
		return event -> {
			if (event.isSuccess()) {
				routes.getRoutes().collectList().subscribe(current -> metrics.routesRefreshed(
						current.stream().map(Route::getId).collect(Collectors.toSet()),
						current.stream()
							.filter(route -> Boolean.parseBoolean(
									String.valueOf(route.getMetadata().get(ConnectionMetrics.EXACT_CLOSE_CODES))))
							.map(Route::getId)
							.collect(Collectors.toSet())));
			}
		};
	}

	@Bean
	BufferMetrics bufferMetrics(MeterRegistry meters, MessageBudget budget) {
		return new BufferMetrics(meters, budget);
	}

	@Bean
	AuthMetrics authMetrics(MeterRegistry meters) {
		return new AuthMetrics(meters);
	}

	@Bean
	InspectionMetrics inspectionMetrics(MeterRegistry meters) {
		return new InspectionMetrics(meters);
	}

	/**
	 * Netty's buffer allocator, which holds every byte in flight through the relay:
	 * {@code netty.allocator.memory.used} and {@code .pinned} by {@code memory.type}
	 * ({@code direct}, {@code heap}), and the allocator's arenas and caches (Micrometer's
	 * binder, for the allocator Reactor Netty uses).
	 */
	@Bean
	MeterBinder nettyAllocatorMetrics() {
		return (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider)
				? new NettyAllocatorMetrics(provider) : meters -> {
				};
	}

}
