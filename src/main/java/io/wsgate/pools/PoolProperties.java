package io.wsgate.pools;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * Backend pools, under {@code wsgate.pools.<name>}: the servers, how connections are spread
 * over them, and how their health is probed. A route reaches a pool with the URI
 * {@code lb:ws://<name>} (or {@code lb:wss://<name>}).
 *
 * <p>Ranges are checked by annotations; what depends on several settings (a URL's form, a
 * policy's header name, status-code ranges, patterns) by {@link #validate}, with messages that
 * name the property.
 */
@Validated
@ConfigurationProperties("wsgate")
public class PoolProperties implements Validator {

	/** Pool names are host names in {@code lb:ws://<name>}: a letter, then letters, digits, hyphens. */
	static final Pattern POOL_NAME = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");

	/** Backend pools by name. */
	@Valid
	private final Map<String, Pool> pools = new LinkedHashMap<>();

	public Map<String, Pool> getPools() {
		return this.pools;
	}

	@Override
	public boolean supports(Class<?> type) {
		return PoolProperties.class.isAssignableFrom(type);
	}

	@Override
	public void validate(Object target, Errors errors) {
		((PoolProperties) target).pools.forEach((name, pool) -> {
			if (pool != null) {
				validatePool("wsgate.pools." + name, name, pool, errors);
			}
		});
	}

	private static void validatePool(String property, String name, Pool pool, Errors errors) {
		if (!POOL_NAME.matcher(name).matches()) {
			reject(errors, property, "a pool name must start with a lowercase letter and hold only lowercase "
					+ "letters, digits and hyphens (it is the host name in lb:ws://" + name + ")");
		}
		if (pool.getServers() == null || pool.getServers().isEmpty()) {
			reject(errors, property + ".servers", "a pool needs at least one server");
			return;
		}
		for (int i = 0; i < pool.getServers().size(); i++) {
			String problem = urlProblem(pool.getServers().get(i).getUrl());
			if (problem != null) {
				reject(errors, property + ".servers[" + i + "].url", problem);
			}
		}
		LoadBalance balance = pool.getLoadBalance();
		if (balance != null && balance.getPolicy() == Policy.HEADER_HASH && isBlank(balance.getHeaderName())) {
			reject(errors, property + ".load-balance.header-name", "the header-hash policy needs a header-name");
		}
		if (balance != null && balance.getPolicy() == Policy.COOKIE_HASH && isBlank(balance.getCookieName())) {
			reject(errors, property + ".load-balance.cookie-name", "the cookie-hash policy needs a cookie-name");
		}
		HealthCheck check = pool.getHealthCheck();
		if (check != null) {
			String prefix = property + ".health-check";
			if (check.getHttp() == null && check.getWs() == null) {
				reject(errors, prefix, "a health-check needs an http probe, a ws probe or both");
			}
			if (check.getHttp() != null) {
				validateProbe(prefix + ".http", check.getHttp(), errors);
				validateBody(prefix + ".http.match-body", check.getHttp().getMatchBody(), errors);
				if (check.getHttp().getMethod() != null && !check.getHttp().getMethod().matches("[A-Za-z]+")) {
					reject(errors, prefix + ".http.method", "not an HTTP method: " + check.getHttp().getMethod());
				}
			}
			if (check.getWs() != null) {
				validateProbe(prefix + ".ws", check.getWs(), errors);
			}
		}
	}

	private static void validateProbe(String property, Probe probe, Errors errors) {
		// nulls are the annotations' to report
		if (probe.getUri() != null && !probe.getUri().startsWith("/")) {
			reject(errors, property + ".uri", "must start with '/': " + probe.getUri());
		}
		if (probe.getStatusCodes() != null) {
			try {
				StatusCodes.parse(probe.getStatusCodes());
			}
			catch (IllegalArgumentException ex) {
				reject(errors, property + ".status-codes", ex.getMessage());
			}
		}
		if (probe.getMatchHeaders() == null) {
			return;
		}
		probe.getMatchHeaders().forEach((header, match) -> {
			String where = property + ".match-headers." + header;
			if ((match.getExact() == null) == (match.getRegexp() == null)) {
				reject(errors, where, "set exactly one of exact and regexp");
			}
			else if (match.getRegexp() != null) {
				validatePattern(where + ".regexp", match.getRegexp(), errors);
			}
		});
	}

	private static void validateBody(String property, @Nullable BodyMatch body, Errors errors) {
		if (body == null) {
			return;
		}
		if ((body.getContains() == null) == (body.getRegexp() == null)) {
			reject(errors, property, "set exactly one of contains and regexp");
		}
		else if (body.getRegexp() != null) {
			validatePattern(property + ".regexp", body.getRegexp(), errors);
		}
	}

	private static void validatePattern(String property, String regexp, Errors errors) {
		try {
			Pattern.compile(regexp);
		}
		catch (PatternSyntaxException ex) {
			reject(errors, property, "not a regular expression: " + ex.getDescription());
		}
	}

	/** Why a server URL is unusable, or null: it must be {@code scheme://host[:port]}. */
	static @Nullable String urlProblem(@Nullable String url) {
		if (isBlank(url)) {
			return "a server needs a url";
		}
		URI uri;
		try {
			uri = new URI(url.trim());
		}
		catch (URISyntaxException ex) {
			return "not a URL: " + ex.getMessage();
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!List.of("ws", "wss", "http", "https").contains(scheme)) {
			return "must be a ws://, wss://, http:// or https:// URL: " + url;
		}
		if (uri.getHost() == null || uri.getHost().isEmpty()) {
			return "has no host: " + url;
		}
		if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
				|| (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
			return "must be scheme://host[:port] only (the request's path and query are kept): " + url;
		}
		return null;
	}

	private static void reject(Errors errors, String property, String message) {
		errors.reject("wsgate.pools", property + ": " + message);
	}

	private static boolean isBlank(@Nullable String value) {
		return value == null || value.isBlank();
	}

	/** One pool: its servers, its load-balancing policy, and its health check. */
	public static class Pool {

		/** The servers, in order (the actuator addresses them by index). */
		@Valid
		private List<Server> servers = new ArrayList<>();

		/** How connections are spread over the servers in rotation. */
		@Valid
		@NotNull
		private LoadBalance loadBalance = new LoadBalance();

		/** Health probing; without it, every server stays in rotation (unless drained). */
		@Valid
		private @Nullable HealthCheck healthCheck;

		public List<Server> getServers() {
			return this.servers;
		}

		public void setServers(List<Server> servers) {
			this.servers = servers;
		}

		public LoadBalance getLoadBalance() {
			return this.loadBalance;
		}

		public void setLoadBalance(LoadBalance loadBalance) {
			this.loadBalance = loadBalance;
		}

		public @Nullable HealthCheck getHealthCheck() {
			return this.healthCheck;
		}

		public void setHealthCheck(@Nullable HealthCheck healthCheck) {
			this.healthCheck = healthCheck;
		}

	}

	/** One backend server of a pool. */
	public static class Server {

		/** {@code ws://}, {@code wss://}, {@code http://} or {@code https://} host and port; no path. */
		private @Nullable String url;

		/** Relative share of connections under the {@code weighted} policy. */
		@Min(1)
		@Max(100)
		private int weight = 1;

		/** Whether connections to this server keep the client's Host header. */
		private boolean keepHost;

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public int getWeight() {
			return this.weight;
		}

		public void setWeight(int weight) {
			this.weight = weight;
		}

		public boolean isKeepHost() {
			return this.keepHost;
		}

		public void setKeepHost(boolean keepHost) {
			this.keepHost = keepHost;
		}

	}

	/** The load-balancing policy names, as written in YAML ({@code round-robin}, ...). */
	public enum Policy {

		ROUND_ROBIN, RANDOM, WEIGHTED, LEAST_CONNECTIONS, IP_HASH, HEADER_HASH, COOKIE_HASH;

		/** The YAML spelling. */
		public String id() {
			return name().toLowerCase(Locale.ROOT).replace('_', '-');
		}

	}

	/** How a pool picks a server for a new connection. */
	public static class LoadBalance {

		/** The policy. */
		@NotNull
		private Policy policy = Policy.ROUND_ROBIN;

		/** The request header whose value is hashed, for {@code header-hash}. */
		private @Nullable String headerName;

		/** The cookie whose value is hashed, for {@code cookie-hash}. */
		private @Nullable String cookieName;

		public Policy getPolicy() {
			return this.policy;
		}

		public void setPolicy(Policy policy) {
			this.policy = policy;
		}

		public @Nullable String getHeaderName() {
			return this.headerName;
		}

		public void setHeaderName(@Nullable String headerName) {
			this.headerName = headerName;
		}

		public @Nullable String getCookieName() {
			return this.cookieName;
		}

		public void setCookieName(@Nullable String cookieName) {
			this.cookieName = cookieName;
		}

	}

	/** Active health checks, as Easegress has them: probes every interval, thresholds both ways. */
	public static class HealthCheck {

		/** Time between two probes of a server. */
		@NotNull
		@DurationMin(millis = 10)
		@DurationMax(hours = 1)
		private Duration interval = Duration.ofSeconds(10);

		/** Time a probe may take; then it failed. */
		@NotNull
		@DurationMin(millis = 1)
		@DurationMax(minutes = 5)
		private Duration timeout = Duration.ofSeconds(3);

		/** Failed probes in a row that take a server out of rotation. */
		@Min(1)
		@Max(1000)
		private int fails = 1;

		/** Passed probes in a row that bring a server back into rotation. */
		@Min(1)
		@Max(1000)
		private int passes = 1;

		/** An HTTP request to the server. */
		@Valid
		private @Nullable HttpProbe http;

		/** A WebSocket upgrade to the server, closed with 1000 at once. */
		@Valid
		private @Nullable WsProbe ws;

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getFails() {
			return this.fails;
		}

		public void setFails(int fails) {
			this.fails = fails;
		}

		public int getPasses() {
			return this.passes;
		}

		public void setPasses(int passes) {
			this.passes = passes;
		}

		public @Nullable HttpProbe getHttp() {
			return this.http;
		}

		public void setHttp(@Nullable HttpProbe http) {
			this.http = http;
		}

		public @Nullable WsProbe getWs() {
			return this.ws;
		}

		public void setWs(@Nullable WsProbe ws) {
			this.ws = ws;
		}

	}

	/** What the HTTP and WebSocket probes share. */
	public abstract static class Probe {

		/** Port to probe; 0 = the server's own. */
		@Min(0)
		@Max(65535)
		private int port;

		/** Path (and query) to probe. */
		@NotNull
		private String uri = "/";

		/** Request headers sent with the probe. */
		@NotNull
		private Map<String, String> headers = new LinkedHashMap<>();

		/** Status codes that pass, as codes and ranges ({@code 200-399}, {@code 101}). */
		@NotNull
		private List<String> statusCodes;

		/** Response headers that must be present and match. */
		@NotNull
		@Valid
		private Map<String, HeaderMatch> matchHeaders = new LinkedHashMap<>();

		Probe(String statusCodes) {
			this.statusCodes = new ArrayList<>(List.of(statusCodes));
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		public String getUri() {
			return this.uri;
		}

		public void setUri(String uri) {
			this.uri = uri;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public List<String> getStatusCodes() {
			return this.statusCodes;
		}

		public void setStatusCodes(List<String> statusCodes) {
			this.statusCodes = statusCodes;
		}

		public Map<String, HeaderMatch> getMatchHeaders() {
			return this.matchHeaders;
		}

		public void setMatchHeaders(Map<String, HeaderMatch> matchHeaders) {
			this.matchHeaders = matchHeaders;
		}

	}

	/** An HTTP probe: passes on a status in range, matching headers and a matching body. */
	public static class HttpProbe extends Probe {

		/** Request method. */
		@NotNull
		private String method = "GET";

		/** What the body (its first 64 KB) must hold. */
		@Valid
		private @Nullable BodyMatch matchBody;

		public HttpProbe() {
			super("200-399");
		}

		public String getMethod() {
			return this.method;
		}

		public void setMethod(String method) {
			this.method = method;
		}

		public @Nullable BodyMatch getMatchBody() {
			return this.matchBody;
		}

		public void setMatchBody(@Nullable BodyMatch matchBody) {
			this.matchBody = matchBody;
		}

	}

	/** A WebSocket probe: a real upgrade, which passes on a status in range and matching headers. */
	public static class WsProbe extends Probe {

		public WsProbe() {
			super("101");
		}

	}

	/** A response header's match: one of {@code exact} and {@code regexp} (unanchored: use ^...$). */
	public static class HeaderMatch {

		private @Nullable String exact;

		private @Nullable String regexp;

		public @Nullable String getExact() {
			return this.exact;
		}

		public void setExact(@Nullable String exact) {
			this.exact = exact;
		}

		public @Nullable String getRegexp() {
			return this.regexp;
		}

		public void setRegexp(@Nullable String regexp) {
			this.regexp = regexp;
		}

	}

	/** A body match: one of {@code contains} (a substring) and {@code regexp} (unanchored). */
	public static class BodyMatch {

		private @Nullable String contains;

		private @Nullable String regexp;

		public @Nullable String getContains() {
			return this.contains;
		}

		public void setContains(@Nullable String contains) {
			this.contains = contains;
		}

		public @Nullable String getRegexp() {
			return this.regexp;
		}

		public void setRegexp(@Nullable String regexp) {
			this.regexp = regexp;
		}

	}

}
