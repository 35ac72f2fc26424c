package io.wsgate.admin;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.module.SimpleModule;

import org.springframework.cloud.gateway.filter.FilterDefinition;
import org.springframework.cloud.gateway.handler.predicate.PredicateDefinition;

/**
 * How the application's JSON shows filter and predicate definitions (in
 * {@code /actuator/gateway/routedefinitions} and wherever else a definition is written as
 * JSON for a reader): secret arguments ({@link SecretArguments}) as {@code ******}, and a
 * value substituted from {@code ${secret:NAME}} as that reference again. Secrets are
 * write-only, for the viewer and the admin alike. The route stores write definitions with a
 * mapper of their own ({@link RouteJson}), untouched by this.
 */
final class RouteRedaction {

	private RouteRedaction() {
	}

	static SimpleModule module(SecretReferences references) {
		SimpleModule module = new SimpleModule("wsgate-route-redaction");
		module.addSerializer(FilterDefinition.class, new ValueSerializer<FilterDefinition>() {
			@Override
			public void serialize(FilterDefinition filter, JsonGenerator json, SerializationContext context) {
				write(filter.getName(), filter.getArgs(), references, json);
			}
		});
		module.addSerializer(PredicateDefinition.class, new ValueSerializer<PredicateDefinition>() {
			@Override
			public void serialize(PredicateDefinition predicate, JsonGenerator json, SerializationContext context) {
				write(predicate.getName(), predicate.getArgs(), references, json);
			}
		});
		return module;
	}

	private static void write(@Nullable String name, Map<String, String> args, SecretReferences references,
			JsonGenerator json) {
		json.writeStartObject();
		json.writeStringProperty("name", name);
		json.writeName("args");
		json.writeStartObject();
		args.forEach((argument, value) -> json.writeStringProperty(argument, shown(argument, value, references)));
		json.writeEndObject();
		json.writeEndObject();
	}

	static @Nullable String shown(String argument, @Nullable String value, SecretReferences references) {
		if (value == null) {
			return null;
		}
		String reference = references.referenceOf(value);
		if (SecretArguments.isSecret(argument)) {
			return (reference != null && SecretReferences.isReference(reference) && reference.matches("\\$\\{secret:[^}]+}"))
					? reference : SecretArguments.REDACTED;
		}
		return (reference != null) ? reference : value;
	}

}
