package io.wsgate;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * wsgate: a WebSocket API gateway on Spring Cloud Gateway.
 *
 * <p>One package per capability (see docs and DESIGN): {@code proxy} relays WebSocket
 * connections, {@code admin} holds the management plane, {@code demo} the embedded demo
 * backend that makes {@code ./mvnw spring-boot:run} useful with nothing else running.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WsgateApplication {

	/** Reactor Netty's own default is max(cores, 4) event loops; a relay does best with one per core. */
	static final String IO_WORKER_COUNT = "reactor.netty.ioWorkerCount";

	public static void main(String[] args) {
		if (System.getProperty(IO_WORKER_COUNT) == null) {
			System.setProperty(IO_WORKER_COUNT, String.valueOf(Runtime.getRuntime().availableProcessors()));
		}
		SpringApplication.run(WsgateApplication.class, args);
	}

}
