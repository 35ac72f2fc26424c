package io.wsgate.frames;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

import io.wsgate.proxy.MessageDecision;
import io.wsgate.proxy.WebSocketMessage;

/** The hooks a {@code FrameInspection} chain names by type. */
final class BuiltInHooks {

	private static final JsonFactory json = new JsonFactory();

	private BuiltInHooks() {
	}

	/** {@code max-size}: a message over {@code limit} bytes closes the connection with 1009. */
	static FrameHook maxSize(long limit) {
		MessageDecision tooBig = MessageDecision.close(1009, "message too big: limit is " + limit + " bytes");
		return (context, message) -> (message.length() > limit) ? tooBig : MessageDecision.pass();
	}

	/**
	 * {@code json}: a text message must be one well-formed JSON value (in valid UTF-8); else
	 * {@code violation}. Binary messages pass.
	 */
	static FrameHook json(MessageDecision violation) {
		return (context, message) -> (!message.isText() || isJson(message)) ? MessageDecision.pass() : violation;
	}

	static boolean isJson(WebSocketMessage message) {
		try (JsonParser parser = json.createParser(ObjectReadContext.empty(), message.payloadStream())) {
			if (parser.nextToken() == null) {
				return false; // empty, or only white space
			}
			parser.skipChildren();
			return parser.nextToken() == null; // exactly one value
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	/**
	 * {@code deny}: a text message in which one of {@code patterns} is found is
	 * {@code violation}. Binary messages pass.
	 */
	static FrameHook deny(List<Pattern> patterns, MessageDecision violation) {
		return (context, message) -> {
			if (message.isText()) {
				String text = message.text();
				for (Pattern pattern : patterns) {
					Matcher matcher = pattern.matcher(text);
					if (matcher.find()) {
						return violation;
					}
				}
			}
			return MessageDecision.pass();
		};
	}

}
