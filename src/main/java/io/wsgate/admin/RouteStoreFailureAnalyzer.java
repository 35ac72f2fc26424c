package io.wsgate.admin;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a route store that cannot be read at startup into Spring Boot's plain failure report. */
class RouteStoreFailureAnalyzer extends AbstractFailureAnalyzer<RouteStoreException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RouteStoreException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Restore the route store from a backup or repair it; or move it away (or point "
						+ "wsgate.routes.file.path elsewhere) to start with the configured routes only.",
				cause);
	}

}
