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
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.util.unit.DataSize;

import io.wsgate.frames.FrameInspectionGatewayFilterFactory.Config;
import io.wsgate.proxy.MessageDecision;
import io.wsgate.resources.TrustedResources;

/**
 * Turns a route's {@code FrameInspection} arguments into its {@link HookChain}: checks each
 * {@link HookConfig} and builds the hook its {@code type} names (the built-in ones, or a
 * {@link FrameHook} bean). A bad argument fails with an {@link IllegalArgumentException}
 * naming the hook ({@code inbound[1]: ...}).
 */
final class HookChainBuilder {

	private final BeanFactory beans;

	private final List<InspectionListener> listeners;

	private final TrustedResources resources;

	/** @param resources where {@code json-schema} locations may be read */
	HookChainBuilder(BeanFactory beans, List<InspectionListener> listeners, TrustedResources resources) {
		this.beans = beans;
		this.listeners = List.copyOf(listeners);
		this.resources = resources;
	}

	HookChain build(Config config) {
		Duration asyncTimeout = config.getAsyncTimeout();
		if (asyncTimeout == null || asyncTimeout.isNegative() || asyncTimeout.isZero()) {
			throw new IllegalArgumentException("async-timeout must be a positive duration");
		}
		MediaType contentType = contentType(config.getContentType());
		List<HookChain.Link> inbound = links("inbound", config.getInbound(), contentType);
		List<HookChain.Link> outbound = links("outbound", config.getOutbound(), contentType);
		if (inbound.isEmpty() && outbound.isEmpty()) {
			throw new IllegalArgumentException("name at least one hook under inbound or outbound");
		}
		return new HookChain(inbound, outbound, asyncTimeout, config.isPassOnTimeout(), this.listeners);
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

	private List<HookChain.Link> links(String direction, List<HookConfig> hooks, MediaType contentType) {
		List<HookChain.Link> links = new ArrayList<>();
		for (int i = 0; i < hooks.size(); i++) {
			links.add(link(direction + "[" + i + "]", hooks.get(i), contentType));
		}
		return links;
	}

	private HookChain.Link link(String what, HookConfig hook, MediaType contentType) {
		String type = (hook.getType() != null) ? hook.getType().trim().toLowerCase(Locale.ROOT) : "";
		return switch (type) {
			case "max-size" -> maxSize(what, hook);
			case "json" -> json(what, hook, contentType);
			case "deny" -> deny(what, hook);
			case "json-schema" -> jsonSchema(what, hook);
			case "rate-limit" -> rateLimit(what, hook);
			case "bean" -> bean(what, hook);
			default -> throw new IllegalArgumentException(what + ": unknown hook type '" + hook.getType()
					+ "' (max-size, json, json-schema, deny, rate-limit, bean)");
		};
	}

	private static HookChain.Link maxSize(String what, HookConfig hook) {
		DataSize size = hook.getSize();
		if (size == null || size.toBytes() <= 0) {
			throw new IllegalArgumentException(what + ": max-size needs a positive size");
		}
		return new HookChain.Link("max-size", BuiltInHooks.maxSize(size.toBytes()));
	}

	private static HookChain.Link json(String what, HookConfig hook, MediaType contentType) {
		if (!isJson(contentType)) {
			throw new IllegalArgumentException(
					what + ": json checks JSON, but the route's content-type is " + contentType);
		}
		return new HookChain.Link("json", BuiltInHooks.json(violation(what, hook, "close", 1007, "invalid JSON")));
	}

	private static HookChain.Link deny(String what, HookConfig hook) {
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
		return new HookChain.Link("deny",
				BuiltInHooks.deny(patterns, violation(what, hook, "close", 1008, "message denied by policy")));
	}

	private HookChain.Link jsonSchema(String what, HookConfig hook) {
		if (hook.getSchema() == null || hook.getSchema().isBlank()) {
			throw new IllegalArgumentException(what + ": json-schema needs a schema (inline JSON, or a "
					+ "classpath: or file: location under wsgate.resources.directory)");
		}
		try {
			return new HookChain.Link("json-schema", JsonSchemaHook.of(hook.getSchema(),
					violation(what, hook, "close", 1008, "message does not match the schema"), this.resources));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException(what + ": " + ex.getMessage());
		}
	}

	private static HookChain.Link rateLimit(String what, HookConfig hook) {
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
		return new HookChain.Link("rate-limit", new RateLimitHook(messages, messageBurst, bytes, byteBurst,
				violation(what, hook, "drop", 1008, "rate limit exceeded")));
	}

	private HookChain.Link bean(String what, HookConfig hook) {
		String name = hook.getName();
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException(what + ": bean needs the bean's name");
		}
		try {
			return new HookChain.Link("bean:" + name, this.beans.getBean(name, FrameHook.class));
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new IllegalArgumentException(what + ": no FrameHook bean named '" + name + "'");
		}
	}

	/** The decision on a violating message: close with the hook's code (or the given one), or drop. */
	private static MessageDecision violation(String what, HookConfig hook, String defaultAction, int defaultCode,
			String defaultReason) {
		String action = (hook.getAction() != null) ? hook.getAction().trim().toLowerCase(Locale.ROOT) : defaultAction;
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

}
