package io.wsgate.frames;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;
import io.wsgate.resources.TrustedResources;

/**
 * {@code json-schema}: a text message must be JSON valid against a JSON Schema (draft 2020-12
 * unless the schema's {@code $schema} says otherwise), checked by networknt's
 * json-schema-validator. Binary messages pass.
 */
final class JsonSchemaHook implements FrameHook {

	private static final Logger log = LoggerFactory.getLogger(JsonSchemaHook.class);

	private static final ObjectMapper mapper = new ObjectMapper();

	private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

	private static final String META_SCHEMAS = "https://json-schema.org/";

	private final Schema schema;

	private final MessageDecision violation;

	private JsonSchemaHook(Schema schema, MessageDecision violation) {
		this.schema = schema;
		this.violation = violation;
	}

	/**
	 * @param schemaSource inline JSON (starting with <code>{</code>) or a {@code classpath:} or
	 * {@code file:} location, read through {@code resources}
	 * @throws IllegalArgumentException when the schema cannot be read or is not a schema; for a
	 * schema read from a location, without the parser's message (it may quote the file)
	 */
	static JsonSchemaHook of(String schemaSource, MessageDecision violation, TrustedResources resources) {
		String text = schemaSource.trim();
		boolean inline = text.startsWith("{");
		if (!inline) {
			text = resources.read("json-schema", schemaSource);
		}
		try {
			// the meta-schemas ship with the library; a $ref to anything else (a file, a URL, the
			// class path) is never loaded: a schema is self-contained
			SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
					builder -> builder.schemaLoader(loader -> loader.fetchRemoteResources(false)
						.block(iri -> !iri.toString().startsWith(META_SCHEMAS))));
			JsonNode schemaNode = mapper.readTree(text);
			// a broken schema fails here, not on the first message (the meta-schemas ship with the library)
			List<Error> problems = registry.getSchema(SchemaLocation.of(META_SCHEMA)).validate(schemaNode);
			if (!problems.isEmpty()) {
				throw new IllegalArgumentException(problems.get(0).toString());
			}
			Schema schema = registry.getSchema(schemaNode);
			schema.initializeValidators();
			return new JsonSchemaHook(schema, violation);
		}
		catch (RuntimeException | IOException ex) {
			if (inline) {
				throw new IllegalArgumentException("json-schema: " + schemaSource + " is not a usable JSON Schema: "
						+ ex.getMessage());
			}
			// the parser's message may quote the file: say what is wrong, not what is in it
			log.debug("json-schema '{}' is not a usable JSON Schema ({})", schemaSource, ex.getClass().getName());
			throw new IllegalArgumentException("json-schema '" + schemaSource + "' is not a usable JSON Schema");
		}
	}

	@Override
	public MessageDecision inspect(HookContext context, WebSocketMessage message) {
		if (!message.isText()) {
			return MessageDecision.pass();
		}
		JsonNode node;
		try {
			node = mapper.readTree(message.payloadStream());
		}
		catch (IOException | RuntimeException ex) {
			return this.violation;
		}
		if (node == null || node.isMissingNode()) {
			return this.violation;
		}
		List<Error> errors = this.schema.validate(node);
		return errors.isEmpty() ? MessageDecision.pass() : this.violation;
	}

}
