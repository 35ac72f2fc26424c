package io.wsgate.pools;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;

/**
 * A pool's health check as the prober runs it: the settings of
 * {@link PoolProperties.HealthCheck}, with status codes parsed and patterns compiled.
 */
record HealthCheckPlan(Duration interval, Duration timeout, int fails, int passes, @Nullable Http http,
		@Nullable Ws ws) {

	static HealthCheckPlan of(PoolProperties.HealthCheck check) {
		PoolProperties.HttpProbe http = check.getHttp();
		PoolProperties.WsProbe ws = check.getWs();
		return new HealthCheckPlan(check.getInterval(), check.getTimeout(), check.getFails(), check.getPasses(),
				(http != null) ? Http.of(http) : null, (ws != null) ? Ws.of(ws) : null);
	}

	/** The probes' names, for the actuator. */
	List<String> probes() {
		List<String> probes = new ArrayList<>();
		if (this.http != null) {
			probes.add("http " + this.http.method() + " " + this.http.uri());
		}
		if (this.ws != null) {
			probes.add("ws " + this.ws.uri());
		}
		return probes;
	}

	/** The HTTP probe. */
	record Http(int port, String uri, HttpMethod method, Map<String, String> headers, StatusCodes statusCodes,
			List<HeaderRule> headerRules, @Nullable BodyRule body) {

		static Http of(PoolProperties.HttpProbe probe) {
			PoolProperties.BodyMatch body = probe.getMatchBody();
			return new Http(probe.getPort(), probe.getUri(), HttpMethod.valueOf(probe.getMethod().toUpperCase(Locale.ROOT)),
					new LinkedHashMap<>(probe.getHeaders()), StatusCodes.parse(probe.getStatusCodes()),
					HeaderRule.of(probe.getMatchHeaders()), (body != null) ? BodyRule.of(body) : null);
		}

	}

	/** The WebSocket probe. */
	record Ws(int port, String uri, Map<String, String> headers, StatusCodes statusCodes,
			List<HeaderRule> headerRules) {

		static Ws of(PoolProperties.WsProbe probe) {
			return new Ws(probe.getPort(), probe.getUri(), new LinkedHashMap<>(probe.getHeaders()),
					StatusCodes.parse(probe.getStatusCodes()), HeaderRule.of(probe.getMatchHeaders()));
		}

	}

	/** A response header that must be present with a value that matches (any of its values). */
	record HeaderRule(String name, @Nullable String exact, @Nullable Pattern regexp) {

		static List<HeaderRule> of(Map<String, PoolProperties.HeaderMatch> matches) {
			List<HeaderRule> rules = new ArrayList<>();
			matches.forEach((name, match) -> rules.add(new HeaderRule(name, match.getExact(),
					(match.getRegexp() != null) ? Pattern.compile(match.getRegexp()) : null)));
			return rules;
		}

		/** Why the values fail this rule, or null when one matches. */
		@Nullable String problem(List<String> values) {
			if (values.isEmpty()) {
				return "header " + this.name + " missing";
			}
			for (String value : values) {
				if ((this.exact != null && this.exact.equals(value))
						|| (this.regexp != null && this.regexp.matcher(value).find())) {
					return null;
				}
			}
			// the values themselves are not logged: a header may carry something private
			return "header " + this.name + " does not match "
					+ ((this.exact != null) ? "the expected value" : "/" + this.regexp + "/");
		}

	}

	/** What a body must hold: a substring, or a match of a pattern. */
	record BodyRule(@Nullable String contains, @Nullable Pattern regexp) {

		static BodyRule of(PoolProperties.BodyMatch match) {
			return new BodyRule(match.getContains(),
					(match.getRegexp() != null) ? Pattern.compile(match.getRegexp()) : null);
		}

		boolean matches(String body) {
			return (this.contains != null) ? body.contains(this.contains) : this.regexp.matcher(body).find();
		}

		@Override
		public String toString() {
			return (this.contains != null) ? "does not contain the expected text" : "does not match /" + this.regexp + "/";
		}

	}

}
