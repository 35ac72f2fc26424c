package io.wsgate.metrics;

import io.micrometer.core.instrument.MeterRegistry;

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

}
