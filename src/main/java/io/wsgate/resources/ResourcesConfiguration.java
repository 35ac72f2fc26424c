package io.wsgate.resources;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The files routes may read: {@link TrustedResources} over {@code wsgate.resources.directory}. */
@Configuration(proxyBeanMethods = false)
class ResourcesConfiguration {

	@Bean
	TrustedResources trustedResources(ResourceProperties properties) {
		return new TrustedResources(properties.getDirectory());
	}

}
