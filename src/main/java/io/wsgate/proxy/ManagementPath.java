package io.wsgate.proxy;

import org.springframework.http.server.PathContainer;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Whether a request's path is under the management base path, decided as WebFlux's request
 * mappings decide it: by {@link PathPattern} over the decoded path segments without their
 * parameters, so that {@code /%61ctuator/gateway/routes} and {@code /actuator;x/gateway/routes}
 * (which the actuator's mappings serve as {@code /actuator/gateway/routes}) are management
 * requests too. A prefix test on the raw path would let such spellings past whatever guards
 * the management plane.
 */
public final class ManagementPath {

	private final PathPattern pattern;

	private ManagementPath(PathPattern pattern) {
		this.pattern = pattern;
	}

	/**
	 * @param basePath {@code management.endpoints.web.base-path}; {@code ""} or {@code "/"}:
	 * the actuator serves every path, and every path is a management path
	 */
	public static ManagementPath of(String basePath) {
		String base = (basePath == null || basePath.equals("/")) ? "" : basePath;
		return new ManagementPath(base.isEmpty() ? null : PathPatternParser.defaultInstance.parse(base + "/**"));
	}

	/** Whether every path is a management path (the actuator at the root). */
	public boolean isEverything() {
		return this.pattern == null;
	}

	/** @param pathWithinApplication a request's path within the application */
	public boolean matches(PathContainer pathWithinApplication) {
		return this.pattern == null || this.pattern.matches(pathWithinApplication);
	}

}
