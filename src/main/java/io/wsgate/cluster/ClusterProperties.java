package io.wsgate.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * {@code wsgate.cluster.*}: whether the connections API reaches the connections of every
 * replica (through Redis, {@code spring.data.redis.*}) or of this one only.
 */
@Validated
@ConfigurationProperties("wsgate.cluster")
public class ClusterProperties {

	/** Whether requests of the connections API go to every replica through Redis pub/sub. */
	private boolean enabled;

	/** This replica's name in the cluster; empty: the host name and a random suffix. */
	@Pattern(regexp = "[A-Za-z0-9._-]{0,64}", message = "must be at most 64 letters, digits, '.', '_' or '-'")
	private String replicaId = "";

	/** The prefix of the Redis channels and keys the replicas share. */
	@NotNull
	@Pattern(regexp = "\\S+", message = "must be a Redis key without white space")
	private String keyPrefix = "wsgate:cluster";

	/** How long a request waits for the other replicas' answers (delivering ones: plus {@code wsgate.connections.send-timeout}). */
	@NotNull
	@DurationMin(millis = 100)
	@DurationMax(seconds = 60)
	private Duration requestTimeout = Duration.ofSeconds(2);

	/** How often a replica renews its entry in the replica set. */
	@NotNull
	@DurationMin(millis = 100)
	@DurationMax(minutes = 1)
	private Duration heartbeatInterval = Duration.ofSeconds(3);

	/** How long a replica that stopped renewing (killed, cut off) is still counted on. */
	@NotNull
	@DurationMin(millis = 300)
	@DurationMax(minutes = 10)
	private Duration replicaExpiry = Duration.ofSeconds(12);

	private final String generatedId = generatedId();

	@AssertTrue(message = "wsgate.cluster.replica-expiry must be at least twice wsgate.cluster.heartbeat-interval")
	boolean isReplicaExpiryValid() {
		return this.replicaExpiry == null || this.heartbeatInterval == null
				|| this.replicaExpiry.compareTo(this.heartbeatInterval.multipliedBy(2)) >= 0;
	}

	private static String generatedId() {
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "replica";
		}
		host = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
		if (host.length() > 48) {
			host = host.substring(0, 48);
		}
		byte[] suffix = new byte[3];
		ThreadLocalRandom.current().nextBytes(suffix);
		return host + "-" + HexFormat.of().formatHex(suffix);
	}

	/** The replica id: the one configured, else a generated one (the same for the life of this process). */
	public String replicaId() {
		return (this.replicaId == null || this.replicaId.isEmpty()) ? this.generatedId : this.replicaId;
	}

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getReplicaId() {
		return this.replicaId;
	}

	public void setReplicaId(@Nullable String replicaId) {
		this.replicaId = (replicaId != null) ? replicaId : "";
	}

	public String getKeyPrefix() {
		return this.keyPrefix;
	}

	public void setKeyPrefix(String keyPrefix) {
		this.keyPrefix = keyPrefix;
	}

	public Duration getRequestTimeout() {
		return this.requestTimeout;
	}

	public void setRequestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
	}

	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	public void setHeartbeatInterval(Duration heartbeatInterval) {
		this.heartbeatInterval = heartbeatInterval;
	}

	public Duration getReplicaExpiry() {
		return this.replicaExpiry;
	}

	public void setReplicaExpiry(Duration replicaExpiry) {
		this.replicaExpiry = replicaExpiry;
	}

}
