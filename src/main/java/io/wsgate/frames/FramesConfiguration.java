package io.wsgate.frames;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Message inspection: the {@code FrameInspection} route filter. */
@Configuration(proxyBeanMethods = false)
class FramesConfiguration {

	@Bean
	FrameInspectionGatewayFilterFactory frameInspectionGatewayFilterFactory(BeanFactory beans,
			ObjectProvider<InspectionListener> listeners) {
		return new FrameInspectionGatewayFilterFactory(beans, listeners.orderedStream().toList());
	}

}
