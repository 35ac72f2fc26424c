package io.wsgate.faults;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.wsgate.support.GatewayProcess;
import io.wsgate.support.Management;
import io.wsgate.support.NodeClients;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short run of the RFC 6455 conformance suite ({@code src/test/node/conformance}, the full
 * run is {@code run.sh} there and writes {@code docs/conformance.md}): about 70 cases from
 * every group, each against the reference echo backend directly and through a gateway in its
 * own JVM, on a plain route and on one with permessage-deflate. The suite exits non-zero when
 * a case's two observations differ in a way its table of expected differences does not
 * explain, or a case crashed; this test fails then, with the suite's output.
 */
class ConformanceTest {

	private GatewayProcess gateway;

	private Process backend;

	@AfterEach
	void stop() throws InterruptedException {
		if (this.gateway != null) {
			this.gateway.kill();
		}
		if (this.backend != null) {
			this.backend.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
		}
	}

	@Test
	void everyCaseOfTheShortRunObservesTheSameDirectAndThroughTheGatewayOrAnExplainedDifference() throws Exception {
		this.backend = NodeClients.start("conformance/backend.mjs");
		int backendPort = NodeClients.portOf(this.backend);
		String r = "--spring.cloud.gateway.server.webflux.routes";
		String uri = "ws://127.0.0.1:" + backendPort;
		// as run.sh starts it: the default configuration but for the routes and their size limit
		this.gateway = GatewayProcess.start("--wsgate.routes.store=memory", r + "[0].id=conformance", r + "[0].uri=" + uri,
				r + "[0].predicates[0]=Path=/**", r + "[0].filters[0]=MaxMessageSize=64MB", r + "[0].order=10",
				r + "[1].id=conformance-deflate", r + "[1].uri=" + uri, r + "[1].predicates[0]=Path=/deflate/**",
				r + "[1].filters[0]=MaxMessageSize=64MB", r + "[1].metadata.compression=true", r + "[1].order=0");
		int port = this.gateway.port();
		String summary = NodeClients.run("conformance/suite.mjs", "--short", "--direct", uri + "/conformance",
				"--proxied", "ws://127.0.0.1:" + port + "/conformance", "--proxied-deflate",
				"ws://127.0.0.1:" + port + "/deflate/conformance");
		assertThat(summary).matches("conformance: \\d+ passed, 0 failed");
		assertThat(Integer.parseInt(summary.replaceAll("conformance: (\\d+) passed.*", "$1"))).isGreaterThanOrEqualTo(60);
	}

}
