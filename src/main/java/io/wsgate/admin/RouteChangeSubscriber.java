package io.wsgate.admin;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

import org.springframework.cloud.gateway.event.RefreshRoutesEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/** Refreshes this replica's routes whenever another replica changes the shared route store. */
final class RouteChangeSubscriber implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(RouteChangeSubscriber.class);

	private final RouteStore store;

	private final ApplicationEventPublisher publisher;

	private volatile @Nullable Disposable subscription;

	RouteChangeSubscriber(RouteStore store, ApplicationEventPublisher publisher) {
		this.store = store;
		this.publisher = publisher;
	}

	@Override
	public void start() {
		this.subscription = this.store.changes().subscribe(route -> {
			if ("*".equals(route)) {
				log.info("routes in {} differ from those served (a missed announcement); refreshing routes",
						this.store.describe());
			}
			else {
				log.info("route {} changed on another replica; refreshing routes", route);
			}
			this.publisher.publishEvent(new RefreshRoutesEvent(this));
		}, ex -> log.error("stopped following route changes of {}: {}", this.store.describe(), ex.toString()));
	}

	@Override
	public void stop() {
		Disposable subscription = this.subscription;
		if (subscription != null) {
			subscription.dispose();
			this.subscription = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.subscription != null;
	}

}
