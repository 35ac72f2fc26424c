package io.wsgate.admin;

import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.cloud.gateway.route.RouteDefinition;

/** Route definitions to and from JSON, as the actuator route API reads and writes them. */
final class RouteJson {

	private final JsonMapper json;

	RouteJson(JsonMapper json) {
		this.json = json;
	}

	JsonMapper mapper() {
		return this.json;
	}

	String write(RouteDefinition route) {
		return this.json.writeValueAsString(route);
	}

	JsonNode tree(RouteDefinition route) {
		return this.json.valueToTree(route);
	}

	/** @throws JacksonException if it is not a route definition */
	RouteDefinition read(String text) {
		return this.json.readValue(text, RouteDefinition.class);
	}

	/** @throws JacksonException if it is not a route definition */
	RouteDefinition read(JsonNode node) {
		return this.json.treeToValue(node, RouteDefinition.class);
	}

	/** A deep copy, through JSON. */
	RouteDefinition copy(RouteDefinition route) {
		return read(tree(route));
	}

	/** Deep copies, in the same order. */
	Map<String, RouteDefinition> copy(Map<String, RouteDefinition> routes) {
		Map<String, RouteDefinition> copy = new LinkedHashMap<>();
		routes.forEach((id, route) -> copy.put(id, copy(route)));
		return copy;
	}

}
