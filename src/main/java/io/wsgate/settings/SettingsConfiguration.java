package io.wsgate.settings;

import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/** Checks of wsgate's own settings at startup: a WARN for each {@code wsgate.*} name it does not have. */
@Configuration(proxyBeanMethods = false)
class SettingsConfiguration {

	@EventListener
	void started(ApplicationStartedEvent event) {
		UnknownSettings.fromClassPath(event.getApplicationContext().getClassLoader())
			.warn(event.getApplicationContext().getEnvironment());
	}

}
