package io.wsgate.resources;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.wsgate.support.AdminGatewayTest;
import io.wsgate.support.Frame;
import io.wsgate.support.RawWebSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An administrator's runtime route cannot read the gateway's files: a JSON Schema or a JWT
 * public key is read only from the class path or from {@code wsgate.resources.directory}, a
 * URL is never fetched, and a 400 never quotes what a file holds.
 */
class RouteFileAccessTest extends AdminGatewayTest {

	static final Path trusted;

	static {
		try {
			trusted = Files.createTempDirectory("wsgate-trusted").toRealPath();
			Files.writeString(trusted.resolve("order.json"),
					"{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"integer\"}}}");
			Files.writeString(trusted.resolve("secret.json"), "hunter2-top-secret");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	@DynamicPropertySource
	static void resources(DynamicPropertyRegistry registry) {
		registry.add("wsgate.resources.directory", trusted::toString);
	}

	@Test
	void aSchemaOfEtcPasswdIsRefusedWithoutQuotingIt() throws Exception {
		for (String location : new String[] { "file:/etc/passwd", "file:" + trusted + "/../../../../etc/passwd" }) {
			HttpResponse<String> refused = admin().post("/actuator/gateway/routes/passwd", schemaRoute("passwd", location));
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
			assertThat(refused.body()).contains("json-schema '" + location + "' is refused: it is not under "
					+ "wsgate.resources.directory").doesNotContain("root:").doesNotContain("'root'");
		}
		assertThat(status("/passwd/x")).isEqualTo(404);
	}

	@Test
	void aFileUnderTheDirectoryThatIsNoSchemaIsRefusedWithoutTheParsersMessage() throws Exception {
		HttpResponse<String> refused = admin().post("/actuator/gateway/routes/secret",
				schemaRoute("secret", "file:" + trusted.resolve("secret.json")));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
		assertThat(refused.body()).contains("is not a usable JSON Schema").doesNotContain("hunter2");
	}

	@Test
	void aSchemaUnderTheDirectoryChecksMessages() throws Exception {
		HttpResponse<String> created = admin().post("/actuator/gateway/routes/orders",
				schemaRoute("orders", "file:" + trusted.resolve("order.json")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		assertThat(upgrades("/orders/x")).isTrue();
		try (RawWebSocket ws = RawWebSocket.connect(this.port, "/orders/x")) {
			ws.sendText("{\"id\":7}");
			assertThat(ws.readFrame().text()).isEqualTo("{\"id\":7}");
			ws.sendText("{\"id\":\"seven\"}");
			Frame close = ws.readUntilClose();
			assertThat(close.closeCode()).isEqualTo(1008);
		}
	}

	@Test
	void keysAndSchemasAreNeverFetchedFromUrls() throws Exception {
		HttpResponse<String> schema = admin().post("/actuator/gateway/routes/remote",
				schemaRoute("remote", "https://schemas.example.test/order.json"));
		assertThat(schema.statusCode()).as(schema.body()).isEqualTo(400);
		assertThat(schema.body()).contains("URLs are never fetched");
		HttpResponse<String> key = admin().post("/actuator/gateway/routes/remote", route(echoUri(), "/remote/**",
				"{\"name\":\"WebSocketAuth\",\"args\":{\"jwt.public-key\":\"file:/etc/passwd\"}}"));
		assertThat(key.statusCode()).as(key.body()).isEqualTo(400);
		assertThat(key.body()).contains("jwt.public-key 'file:/etc/passwd' is refused").doesNotContain("root:");
		HttpResponse<String> jwks = admin().post("/actuator/gateway/routes/remote", route(echoUri(), "/remote/**",
				"{\"name\":\"WebSocketAuth\",\"args\":{\"jwt.jwk-set-uri\":\"http://id.example.test/jwks.json\"}}"));
		assertThat(jwks.statusCode()).as(jwks.body()).isEqualTo(400);
		assertThat(jwks.body()).contains("jwt.jwk-set-uri must be an https URI");
	}

	/** A route at {@code /<id>/**} whose inbound messages must match the schema at {@code location}. */
	private static String schemaRoute(String id, String location) {
		return route(echoUri(), "/" + id + "/**", "{\"name\":\"FrameInspection\",\"args\":{"
				+ "\"inbound[0].type\":\"json-schema\",\"inbound[0].schema\":\"" + location + "\"}}");
	}

}
