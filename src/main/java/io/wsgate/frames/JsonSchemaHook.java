package io.wsgate.frames;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;

/**
 * {@code json-schema}: a text message must be JSON valid against a JSON Schema (draft 2020-12
 * unless the schema's {@code $schema} says otherwise), checked by networknt's
 * json-schema-validator. Binary messages pass.
 */
final class JsonSchemaHook implements FrameHook {

	private static final ObjectMapper mapper = new ObjectMapper();

	private static final String META_SCHEMA = "https://json-schema.org/draft/2020-12/schema";

	private final Schema schema;

	private final MessageDecision violation;

	private JsonSchemaHook(Schema schema, MessageDecision violation) {
		this.schema = schema;
		this.violation = violation;
	}

	/**
	 * @param schemaSource inline JSON (starting with <code>{</code>) or a {@code classpath:} or
	 * {@code file:} location
	 * @throws IllegalArgumentException when the schema cannot be read or is not a schema
	 */
	static JsonSchemaHook of(String schemaSource, MessageDecision violation) {
		String text = schemaSource.trim();
		if (!text.startsWith("{")) {
			Resource resource = new DefaultResourceLoader().getResource(text);
			try (InputStream in = resource.getInputStream()) {
				text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			catch (IOException ex) {
				throw new IllegalArgumentException("json-schema: cannot read " + schemaSource + ": " + ex.getMessage());
			}
		}
		try {
			SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
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
			throw new IllegalArgumentException("json-schema: " + schemaSource + " is not a usable JSON Schema: "
					+ ex.getMessage());
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
