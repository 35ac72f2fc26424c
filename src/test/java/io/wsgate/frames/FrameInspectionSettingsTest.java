package io.wsgate.frames;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.util.unit.DataSize;

import io.wsgate.frames.FrameInspectionGatewayFilterFactory.Config;
import io.wsgate.resources.TrustedResources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A {@code FrameInspection} chain that cannot work is refused when the route is built, naming the hook. */
class FrameInspectionSettingsTest {

	private final FrameInspectionGatewayFilterFactory factory = new FrameInspectionGatewayFilterFactory(
			new DefaultListableBeanFactory(), List.of(), TrustedResources.classpathOnly());

	@Test
	void aValidChainDescribesItself() {
		Config config = new Config().setInbound(List.of(new HookConfig().setType("max-size").setSize(DataSize.ofKilobytes(1)),
				new HookConfig().setType("json"))).setOutbound(List.of(new HookConfig().setType("deny").setPatterns(List.of("x"))));
		assertThat(this.factory.apply(config).toString())
			.isEqualTo("FrameInspection[inbound=[max-size, json], outbound=[deny]]");
	}

	@Test
	void badChainsAreRefusedNamingTheHook() {
		assertRefused(new Config(), "FrameInspection: name at least one hook under inbound or outbound");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("jsn"))),
				"FrameInspection: inbound[0]: unknown hook type 'jsn'");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("max-size"))), "max-size needs a positive size");
		assertRefused(new Config().setOutbound(List.of(new HookConfig().setType("json"), new HookConfig().setType("deny")
			.setPatterns(List.of("(unclosed")))), "outbound[1]: deny pattern is not a regular expression");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("bean").setName("missing"))),
				"no FrameHook bean named 'missing'");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("json").setAction("ignore"))),
				"action must be close or drop");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("json").setCode(1005))),
				"code must be one a close frame may carry");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("json-schema").setSchema("{\"type\": 12}"))),
				"is not a usable JSON Schema");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("json-schema")
			.setSchema("classpath:no/such/schema.json"))), "json-schema 'classpath:no/such/schema.json' cannot be read");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("rate-limit"))),
				"rate-limit needs messages-per-second or bytes-per-second");
		assertRefused(new Config().setInbound(List.of(new HookConfig().setType("json")))
			.setAsyncTimeout(Duration.ZERO), "async-timeout must be a positive duration");
		assertRefused(new Config().setContentType("text/plain").setInbound(List.of(new HookConfig().setType("json"))),
				"inbound[0]: json checks JSON, but the route's content-type is text/plain");
		assertRefused(new Config().setContentType("not a type").setInbound(List.of(new HookConfig().setType("deny")
			.setPatterns(List.of("x")))), "content-type is not a media type");
		assertThat(this.factory.apply(new Config().setContentType("application/vnd.orders+json")
			.setInbound(List.of(new HookConfig().setType("json")))).toString()).contains("json");
	}

	@Test
	void schemasAreReadOnlyFromTheClasspathOrTheTrustedDirectoryAndNeverQuoted(@TempDir Path root) throws Exception {
		Path trusted = Files.createDirectory(root.resolve("trusted"));
		Files.writeString(trusted.resolve("order.json"), "{\"type\":\"object\",\"required\":[\"id\"]}");
		Files.writeString(trusted.resolve("secret.json"), "hunter2-top-secret");
		Files.writeString(root.resolve("outside.json"), "{\"type\":\"object\"}");
		Files.createSymbolicLink(trusted.resolve("link.json"), root.resolve("outside.json"));
		FrameInspectionGatewayFilterFactory withDirectory = new FrameInspectionGatewayFilterFactory(
				new DefaultListableBeanFactory(), List.of(), new TrustedResources(trusted));

		assertThat(withDirectory.apply(schema("file:" + trusted.resolve("order.json"))).toString())
			.contains("json-schema");
		assertThat(withDirectory.apply(schema("file://" + trusted.resolve("order.json"))).toString())
			.contains("json-schema");
		for (String location : List.of("file:/etc/passwd", "file:" + trusted + "/../outside.json",
				"file:" + trusted.resolve("link.json"), "https://schemas.example.test/order.json",
				"/etc/passwd", "jar:file:/etc/passwd!/x")) {
			assertThatIllegalArgumentException().isThrownBy(() -> withDirectory.apply(schema(location)))
				.withMessageContaining("json-schema '" + location + "' is refused")
				.withMessageNotContaining("root:");
		}
		assertThatIllegalArgumentException()
			.isThrownBy(() -> withDirectory.apply(schema("file:" + trusted.resolve("secret.json"))))
			.withMessageEndingWith("json-schema 'file:" + trusted.resolve("secret.json") + "' is not a usable JSON Schema")
			.withMessageNotContaining("hunter2");
		assertRefused(schema("file:" + trusted.resolve("order.json")),
				"file locations need wsgate.resources.directory, which is not set");
	}

	@Test
	void aSchemaCannotPullInAFileOrAUrlThroughRef(@TempDir Path trusted) throws Exception {
		Files.writeString(trusted.resolve("secret.json"), "{\"const\":\"hunter2-top-secret\"}");
		String ref = "{\"$ref\":\"file:" + trusted.resolve("secret.json") + "\"}";
		FrameInspectionGatewayFilterFactory withDirectory = new FrameInspectionGatewayFilterFactory(
				new DefaultListableBeanFactory(), List.of(), new TrustedResources(trusted));
		for (String schema : List.of(ref, "{\"$ref\":\"classpath:application.yml\"}",
				"{\"$ref\":\"http://127.0.0.1:9/schema.json\"}")) {
			assertThatIllegalArgumentException().isThrownBy(() -> withDirectory.apply(schema(schema)))
				.withMessageNotContaining("hunter2")
				.withMessageNotContaining("wsgate");
		}
		assertThat(withDirectory.apply(schema("{\"$schema\":\"https://json-schema.org/draft/2019-09/schema\","
				+ "\"type\":\"object\"}")).toString()).contains("json-schema");
	}

	private static Config schema(String source) {
		return new Config().setInbound(List.of(new HookConfig().setType("json-schema").setSchema(source)));
	}

	private void assertRefused(Config config, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.factory.apply(config))
			.withMessageStartingWith("FrameInspection: ")
			.withMessageContaining(message);
	}

}
