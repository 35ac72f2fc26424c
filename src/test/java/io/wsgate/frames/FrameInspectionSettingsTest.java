package io.wsgate.frames;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.util.unit.DataSize;

import io.wsgate.frames.FrameInspectionGatewayFilterFactory.Config;
import io.wsgate.frames.FrameInspectionGatewayFilterFactory.Hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** A {@code FrameInspection} chain that cannot work is refused when the route is built, naming the hook. */
class FrameInspectionSettingsTest {

	private final FrameInspectionGatewayFilterFactory factory = new FrameInspectionGatewayFilterFactory(
			new DefaultListableBeanFactory(), List.of());

	@Test
	void aValidChainDescribesItself() {
		Config config = new Config().setInbound(List.of(new Hook().setType("max-size").setSize(DataSize.ofKilobytes(1)),
				new Hook().setType("json"))).setOutbound(List.of(new Hook().setType("deny").setPatterns(List.of("x"))));
		assertThat(this.factory.apply(config).toString())
			.isEqualTo("FrameInspection[inbound=[max-size, json], outbound=[deny]]");
	}

	@Test
	void badChainsAreRefusedNamingTheHook() {
		assertRefused(new Config(), "FrameInspection: name at least one hook under inbound or outbound");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("jsn"))),
				"FrameInspection: inbound[0]: unknown hook type 'jsn'");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("max-size"))), "max-size needs a positive size");
		assertRefused(new Config().setOutbound(List.of(new Hook().setType("json"), new Hook().setType("deny")
			.setPatterns(List.of("(unclosed")))), "outbound[1]: deny pattern is not a regular expression");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("bean").setName("missing"))),
				"no FrameHook bean named 'missing'");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("json").setAction("ignore"))),
				"action must be close or drop");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("json").setCode(1005))),
				"code must be one a close frame may carry");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("json-schema").setSchema("{\"type\": 12}"))),
				"is not a usable JSON Schema");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("json-schema")
			.setSchema("classpath:no/such/schema.json"))), "cannot read");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("rate-limit"))),
				"rate-limit needs messages-per-second or bytes-per-second");
		assertRefused(new Config().setInbound(List.of(new Hook().setType("json")))
			.setAsyncTimeout(java.time.Duration.ZERO), "async-timeout must be a positive duration");
		assertRefused(new Config().setContentType("text/plain").setInbound(List.of(new Hook().setType("json"))),
				"inbound[0]: json checks JSON, but the route's content-type is text/plain");
		assertRefused(new Config().setContentType("not a type").setInbound(List.of(new Hook().setType("deny")
			.setPatterns(List.of("x")))), "content-type is not a media type");
		assertThat(this.factory.apply(new Config().setContentType("application/vnd.orders+json")
			.setInbound(List.of(new Hook().setType("json")))).toString()).contains("json");
	}

	private void assertRefused(Config config, String message) {
		assertThatIllegalArgumentException().isThrownBy(() -> this.factory.apply(config))
			.withMessageStartingWith("FrameInspection: ")
			.withMessageContaining(message);
	}

}
