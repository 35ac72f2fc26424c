package io.wsgate.frames;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.wsgate.resources.TrustedResources;

/** Message inspection and traffic capture: the route filters and {@code /actuator/wstraffic}. */
@Configuration(proxyBeanMethods = false)
class FramesConfiguration {

	@Bean
	FrameInspectionGatewayFilterFactory frameInspectionGatewayFilterFactory(BeanFactory beans,
			ObjectProvider<InspectionListener> listeners, TrustedResources resources) {
		return new FrameInspectionGatewayFilterFactory(beans, listeners.orderedStream().toList(), resources);
	}

	@Bean
	TrafficCaptures trafficCaptures() {
		return new TrafficCaptures();
	}

	@Bean
	FrameCaptureGatewayFilterFactory frameCaptureGatewayFilterFactory(TrafficCaptures captures) {
		return new FrameCaptureGatewayFilterFactory(captures);
	}

	@Bean
	TrafficEndpoint trafficEndpoint(TrafficCaptures captures) {
		return new TrafficEndpoint(captures);
	}

}
