package io.wsgate.frames;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.factory.AbstractGatewayFilterFactory;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;

import io.wsgate.proxy.ConnectionPolicy;
import io.wsgate.proxy.MessageDecision;
import io.wsgate.resources.TrustedResources;

/**
 * {@code FrameInspection}: a route's whole messages go through a chain of hooks per direction
 * ({@code inbound}: client to backend, {@code outbound}: backend to client) before they are
 * passed on: built-in checks ({@code max-size}, {@code json}, {@code json-schema}, {@code deny},
 * {@code rate-limit}) and user hooks
 * (Spring beans implementing {@link FrameHook}, named {@code bean}). A direction without hooks
 * is relayed as bytes, as on a route without this filter.
 *
 * <p>Every argument is described in docs/inspection.md.
 */
public class FrameInspectionGatewayFilterFactory
		extends AbstractGatewayFilterFactory<FrameInspectionGatewayFilterFactory.Config> {

	private final BeanFactory beans;

	private final List<InspectionListener> listeners;

	private final TrustedResources resources;

	public FrameInspectionGatewayFilterFactory(BeanFactory beans, List<InspectionListener> listeners,
			TrustedResources resources) {
		super(Config.class);
		this.beans = beans;
		this.listeners = List.copyOf(listeners);
		this.resources = resources;
	}

	@Override
	public GatewayFilter apply(Config config) {
		HookChain chain;
		try {
			if (config.getAsyncTimeout() == null || config.getAsyncTimeout().isNegative()
					|| config.getAsyncTimeout().isZero()) {
				throw new IllegalArgumentException("async-timeout must be a positive duration");
			}
			MediaType contentType = contentType(config.getContentType());
			List<HookChain.Link> inbound = links("inbound", config.getInbound(), contentType);
			List<HookChain.Link> outbound = links("outbound", config.getOutbound(), contentType);
			if (inbound.isEmpty() && outbound.isEmpty()) {
				throw new IllegalArgumentException("name at least one hook under inbound or outbound");
			}
			chain = new HookChain(inbound, outbound, config.getAsyncTimeout(), config.isPassOnTimeout(),
					this.listeners);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("FrameInspection: " + ex.getMessage(), ex);
		}
		return ConnectionPolicy.filter("FrameInspection[" + chain + "]", policy -> policy.inspection(chain));
	}

	private static MediaType contentType(@Nullable String value) {
		try {
			return MediaType.parseMediaType((value != null) ? value : "application/json");
		}
		catch (InvalidMediaTypeException ex) {
			throw new IllegalArgumentException("content-type is not a media type: " + value);
		}
	}

	private static boolean isJson(MediaType type) {
		return MediaType.APPLICATION_JSON.isCompatibleWith(type)
				|| (type.getSubtype().endsWith("+json") && !type.isWildcardSubtype());
	}

	private List<HookChain.Link> links(String direction, List<Hook> hooks, MediaType contentType) {
		List<HookChain.Link> links = new ArrayList<>();
		for (int i = 0; i < hooks.size(); i++) {
			links.add(link(direction + "[" + i + "]", hooks.get(i), contentType));
		}
		return links;
	}

	private HookChain.Link link(String what, Hook hook, MediaType contentType) {
		String type = (hook.getType() != null) ? hook.getType().trim().toLowerCase(Locale.ROOT) : "";
		return switch (type) {
			case "max-size" -> {
				DataSize size = hook.getSize();
				if (size == null || size.toBytes() <= 0) {
					throw new IllegalArgumentException(what + ": max-size needs a positive size");
				}
				yield new HookChain.Link("max-size", BuiltInHooks.maxSize(size.toBytes()));
			}
			case "json" -> {
				if (!isJson(contentType)) {
					throw new IllegalArgumentException(
							what + ": json checks JSON, but the route's content-type is " + contentType);
				}
				yield new HookChain.Link("json", BuiltInHooks.json(violation(what, hook, 1007, "invalid JSON")));
			}
			case "deny" -> {
				if (hook.getPatterns().isEmpty()) {
					throw new IllegalArgumentException(what + ": deny needs at least one pattern");
				}
				List<Pattern> patterns = new ArrayList<>();
				for (String pattern : hook.getPatterns()) {
					try {
						patterns.add(Pattern.compile(pattern));
					}
					catch (PatternSyntaxException ex) {
						throw new IllegalArgumentException(what + ": deny pattern is not a regular expression: "
								+ ex.getDescription() + " in " + pattern);
					}
				}
				yield new HookChain.Link("deny",
						BuiltInHooks.deny(patterns, violation(what, hook, 1008, "message denied by policy")));
			}
			case "json-schema" -> {
				if (hook.getSchema() == null || hook.getSchema().isBlank()) {
					throw new IllegalArgumentException(what + ": json-schema needs a schema (inline JSON, or a "
							+ "classpath: or file: location under wsgate.resources.directory)");
				}
				try {
					yield new HookChain.Link("json-schema", JsonSchemaHook.of(hook.getSchema(),
							violation(what, hook, 1008, "message does not match the schema"), this.resources));
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalArgumentException(what + ": " + ex.getMessage());
				}
			}
			case "rate-limit" -> {
				long messages = hook.getMessagesPerSecond();
				long bytes = (hook.getBytesPerSecond() != null) ? hook.getBytesPerSecond().toBytes() : 0;
				if (messages < 0 || bytes < 0 || (messages == 0 && bytes == 0)) {
					throw new IllegalArgumentException(
							what + ": rate-limit needs messages-per-second or bytes-per-second (positive)");
				}
				long messageBurst = (hook.getMessageBurst() != null) ? hook.getMessageBurst() : messages;
				long byteBurst = (hook.getByteBurst() != null) ? hook.getByteBurst().toBytes() : bytes;
				if ((messages > 0 && messageBurst <= 0) || (bytes > 0 && byteBurst <= 0)) {
					throw new IllegalArgumentException(what + ": rate-limit bursts must be positive");
				}
				String action = (hook.getAction() != null) ? hook.getAction() : "drop";
				yield new HookChain.Link("rate-limit", new RateLimitHook(messages, messageBurst, bytes, byteBurst,
						violation(what, new Hook().setAction(action).setCode(hook.getCode()).setReason(hook.getReason()),
								1008, "rate limit exceeded")));
			}
			case "bean" -> {
				String name = hook.getName();
				if (name == null || name.isBlank()) {
					throw new IllegalArgumentException(what + ": bean needs the bean's name");
				}
				try {
					yield new HookChain.Link("bean:" + name, this.beans.getBean(name, FrameHook.class));
				}
				catch (NoSuchBeanDefinitionException ex) {
					throw new IllegalArgumentException(what + ": no FrameHook bean named '" + name + "'");
				}
			}
			default -> throw new IllegalArgumentException(what + ": unknown hook type '" + hook.getType()
					+ "' (max-size, json, json-schema, deny, rate-limit, bean)");
		};
	}

	/** The decision on a violating message: close with the hook's code (or the given one), or drop. */
	private static MessageDecision violation(String what, Hook hook, int defaultCode, String defaultReason) {
		String action = (hook.getAction() != null) ? hook.getAction().trim().toLowerCase(Locale.ROOT) : "close";
		if (action.equals("drop")) {
			return MessageDecision.drop();
		}
		if (!action.equals("close")) {
			throw new IllegalArgumentException(what + ": action must be close or drop, was " + hook.getAction());
		}
		int code = (hook.getCode() != null) ? hook.getCode() : defaultCode;
		String reason = (hook.getReason() != null) ? hook.getReason() : defaultReason;
		try {
			return MessageDecision.close(code, reason);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(what + ": " + ex.getMessage());
		}
	}

	/** Arguments of {@code FrameInspection}. */
	public static class Config {

		/** Hooks for messages from the client, in order. */
		private List<Hook> inbound = new ArrayList<>();

		/** Hooks for messages from the backend, in order. */
		private List<Hook> outbound = new ArrayList<>();

		/** How long an asynchronous hook may take. */
		private Duration asyncTimeout = Duration.ofSeconds(1);

		/** Whether a message whose asynchronous hook timed out passes (else: close 1011). */
		private boolean passOnTimeout;

		/** What the route's text messages are (Axway's "default MIME type"); {@code json} needs a JSON type. */
		private String contentType = "application/json";

		public String getContentType() {
			return this.contentType;
		}

		public Config setContentType(String contentType) {
			this.contentType = contentType;
			return this;
		}

		public List<Hook> getInbound() {
			return this.inbound;
		}

		public Config setInbound(List<Hook> inbound) {
			this.inbound = inbound;
			return this;
		}

		public List<Hook> getOutbound() {
			return this.outbound;
		}

		public Config setOutbound(List<Hook> outbound) {
			this.outbound = outbound;
			return this;
		}

		public Duration getAsyncTimeout() {
			return this.asyncTimeout;
		}

		public Config setAsyncTimeout(Duration asyncTimeout) {
			this.asyncTimeout = asyncTimeout;
			return this;
		}

		public boolean isPassOnTimeout() {
			return this.passOnTimeout;
		}

		public Config setPassOnTimeout(boolean passOnTimeout) {
			this.passOnTimeout = passOnTimeout;
			return this;
		}

	}

	/** One hook of a chain: its {@code type} and that type's arguments. */
	public static class Hook {

		/** {@code max-size}, {@code json}, {@code json-schema}, {@code deny}, {@code rate-limit} or {@code bean}. */
		private @Nullable String type;

		/** {@code max-size}: the largest message. */
		private @Nullable DataSize size;

		/** {@code deny}: regular expressions; a text message in which one is found violates. */
		private List<String> patterns = new ArrayList<>();

		/** {@code bean}: the bean's name. */
		private @Nullable String name;

		/** {@code json-schema}: the schema, inline or at a {@code classpath:} location or a {@code file:} under {@code wsgate.resources.directory}. */
		private @Nullable String schema;

		/** {@code rate-limit}: messages per second per connection and direction; 0 = no message limit. */
		private long messagesPerSecond;

		/** {@code rate-limit}: messages allowed at once (default: one second's worth). */
		private @Nullable Long messageBurst;

		/** {@code rate-limit}: payload bytes per second per connection and direction. */
		private @Nullable DataSize bytesPerSecond;

		/** {@code rate-limit}: bytes allowed at once (default: one second's worth). */
		private @Nullable DataSize byteBurst;

		/** {@code json}, {@code json-schema}, {@code deny}, {@code rate-limit}: what a violation does: {@code close} or {@code drop}. */
		private @Nullable String action;

		/** The close code of a violation (1007 for json, 1008 for deny). */
		private @Nullable Integer code;

		/** The close reason of a violation. */
		private @Nullable String reason;

		public @Nullable String getType() {
			return this.type;
		}

		public Hook setType(@Nullable String type) {
			this.type = type;
			return this;
		}

		public @Nullable DataSize getSize() {
			return this.size;
		}

		public Hook setSize(@Nullable DataSize size) {
			this.size = size;
			return this;
		}

		public List<String> getPatterns() {
			return this.patterns;
		}

		public Hook setPatterns(List<String> patterns) {
			this.patterns = patterns;
			return this;
		}

		public @Nullable String getName() {
			return this.name;
		}

		public Hook setName(@Nullable String name) {
			this.name = name;
			return this;
		}

		public @Nullable String getSchema() {
			return this.schema;
		}

		public Hook setSchema(@Nullable String schema) {
			this.schema = schema;
			return this;
		}

		public long getMessagesPerSecond() {
			return this.messagesPerSecond;
		}

		public Hook setMessagesPerSecond(long messagesPerSecond) {
			this.messagesPerSecond = messagesPerSecond;
			return this;
		}

		public @Nullable Long getMessageBurst() {
			return this.messageBurst;
		}

		public Hook setMessageBurst(@Nullable Long messageBurst) {
			this.messageBurst = messageBurst;
			return this;
		}

		public @Nullable DataSize getBytesPerSecond() {
			return this.bytesPerSecond;
		}

		public Hook setBytesPerSecond(@Nullable DataSize bytesPerSecond) {
			this.bytesPerSecond = bytesPerSecond;
			return this;
		}

		public @Nullable DataSize getByteBurst() {
			return this.byteBurst;
		}

		public Hook setByteBurst(@Nullable DataSize byteBurst) {
			this.byteBurst = byteBurst;
			return this;
		}

		public @Nullable String getAction() {
			return this.action;
		}

		public Hook setAction(@Nullable String action) {
			this.action = action;
			return this;
		}

		public @Nullable Integer getCode() {
			return this.code;
		}

		public Hook setCode(@Nullable Integer code) {
			this.code = code;
			return this;
		}

		public @Nullable String getReason() {
			return this.reason;
		}

		public Hook setReason(@Nullable String reason) {
			this.reason = reason;
			return this;
		}

	}

}
