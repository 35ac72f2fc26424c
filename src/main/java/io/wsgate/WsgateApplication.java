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

	public static void main(String[] args) {
		SpringApplication.run(WsgateApplication.class, args);
	}

}
