package io.wsgate.cluster;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;

import io.wsgate.proxy.ConnectionRegistry;

/**
 * The {@link Connections} of the connections API: this replica's, or, with
 * {@code wsgate.cluster.enabled=true}, every replica's through Redis
 * ({@code spring.data.redis.*}, the client the redis route store uses too).
 */
@Configuration(proxyBeanMethods = false)
class ClusterConfiguration {

	@Bean
	Connections connections(ConnectionRegistry registry, ClusterProperties cluster, ConnectionsProperties properties,
			ObjectProvider<ReactiveStringRedisTemplate> redis, ObjectProvider<ReactiveRedisConnectionFactory> factory) {
		LocalConnections local = new LocalConnections(registry, cluster.replicaId(), properties.getSendTimeout());
		if (!cluster.isEnabled()) {
			return local;
		}
		return new ClusterConnections(local, redis.getObject(),
				new ReactiveRedisMessageListenerContainer(factory.getObject()), cluster, properties.getSendTimeout());
	}

}
