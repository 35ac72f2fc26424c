package io.wsgate.deploy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders the Helm chart's templates without the {@code helm} binary (Debian has no package for
 * it), for the subset of Helm's template language the chart keeps to, so that a change beyond it
 * fails here rather than in a cluster:
 * <ul>
 * <li>actions {@code {{ pipeline }}} with the trim markers {@code {{-} and {@code -}}}, comments
 * {@code {{/* ... *}{@code /}}};</li>
 * <li>{@code define "name"}, {@code if}/{@code else}, {@code with} (changes {@code .}) and
 * {@code end}; no {@code range}, no variables but {@code $} (the root);</li>
 * <li>values: {@code .}, {@code .A.b.c}, {@code $.A.b}, {@code "strings"} and integers;</li>
 * <li>pipelines with {@code |} (the value goes last) of the functions {@code include},
 * {@code toYaml}, {@code nindent}, {@code indent}, {@code quote}, {@code default}, {@code add},
 * {@code not}, {@code required} (fails the rendering with its message when the value is empty)
 * and {@code sha256sum}; no parentheses.</li>
 * </ul>
 * A missing value prints {@code <no value>}, as in Helm; anything outside the subset throws.
 */
final class HelmTemplates {

	private static final Pattern ACTION = Pattern.compile("\\{\\{(-\\s)?(.*?)(\\s-)?\\}\\}", Pattern.DOTALL);

	private static final Pattern TOKEN = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)");

	private final Map<String, List<Node>> defines = new LinkedHashMap<>();

	private final Map<String, Object> root;

	/** A chart's templates, with the root context ({@code .Values}, {@code .Release}, {@code .Chart}). */
	HelmTemplates(Map<String, Object> root) {
		this.root = root;
	}

	/** Parses a template; its {@code define}s become available to {@code include}. */
	List<Node> parse(String template) {
		List<Object> tokens = new ArrayList<>();
		Matcher m = ACTION.matcher(template);
		int at = 0;
		boolean trimNext = false;
		while (m.find()) {
			String before = template.substring(at, m.start());
			if (trimNext) {
				before = before.stripLeading();
			}
			if (m.group(1) != null) {
				before = before.stripTrailing();
			}
			tokens.add(before);
			String action = m.group(2).strip();
			if (!action.startsWith("/*")) {
				tokens.add(new String[] { action });
			}
			trimNext = m.group(3) != null;
			at = m.end();
		}
		String rest = template.substring(at);
		tokens.add(trimNext ? rest.stripLeading() : rest);
		int[] position = { 0 };
		List<Node> nodes = parseBlock(tokens, position, false);
		if (position[0] < tokens.size()) {
			throw new IllegalArgumentException("unexpected {{ " + ((String[]) tokens.get(position[0]))[0] + " }}");
		}
		return nodes;
	}

	private List<Node> parseBlock(List<Object> tokens, int[] position, boolean nested) {
		List<Node> nodes = new ArrayList<>();
		while (position[0] < tokens.size()) {
			Object token = tokens.get(position[0]);
			if (token instanceof String text) {
				position[0]++;
				nodes.add(new Text(text));
				continue;
			}
			String action = ((String[]) token)[0];
			String keyword = action.split("\\s+", 2)[0];
			if (keyword.equals("end") || keyword.equals("else")) {
				if (!nested) {
					throw new IllegalArgumentException("{{ " + action + " }} without a block");
				}
				return nodes;
			}
			position[0]++;
			switch (keyword) {
				case "if", "with" -> {
					String pipeline = action.substring(keyword.length()).strip();
					List<Node> then = parseBlock(tokens, position, true);
					List<Node> otherwise = List.of();
					if (end(tokens, position).equals("else")) {
						position[0]++;
						otherwise = parseBlock(tokens, position, true);
						if (!end(tokens, position).equals("end")) {
							throw new IllegalArgumentException("{{ " + keyword + " }} without {{ end }}");
						}
					}
					position[0]++;
					nodes.add(new Block(keyword, pipeline, then, otherwise));
				}
				case "define" -> {
					String name = unquote(action.substring(keyword.length()).strip());
					List<Node> body = parseBlock(tokens, position, true);
					if (!end(tokens, position).equals("end")) {
						throw new IllegalArgumentException("{{ define }} without {{ end }}");
					}
					position[0]++;
					this.defines.put(name, body);
				}
				case "range", "template", "block", "range$", "break", "continue" ->
					throw new IllegalArgumentException("{{ " + keyword + " }} is outside the chart's template subset");
				default -> nodes.add(new Action(action));
			}
		}
		if (nested) {
			throw new IllegalArgumentException("a block without {{ end }}");
		}
		return nodes;
	}

	private static String end(List<Object> tokens, int[] position) {
		if (position[0] >= tokens.size()) {
			throw new IllegalArgumentException("a block without {{ end }}");
		}
		return ((String[]) tokens.get(position[0]))[0];
	}

	/** Renders a parsed template with the root context. */
	String render(List<Node> nodes) {
		StringBuilder out = new StringBuilder();
		render(nodes, this.root, out);
		return out.toString();
	}

	private void render(List<Node> nodes, Object dot, StringBuilder out) {
		for (Node node : nodes) {
			if (node instanceof Text text) {
				out.append(text.text());
			}
			else if (node instanceof Action action) {
				out.append(print(pipeline(action.pipeline(), dot)));
			}
			else if (node instanceof Block block) {
				Object value = pipeline(block.pipeline(), dot);
				if (truthy(value)) {
					render(block.then(), block.keyword().equals("with") ? value : dot, out);
				}
				else {
					render(block.otherwise(), dot, out);
				}
			}
		}
	}

	private Object pipeline(String pipeline, Object dot) {
		Object piped = null;
		boolean first = true;
		for (String command : splitPipes(pipeline)) {
			List<String> words = new ArrayList<>();
			Matcher m = TOKEN.matcher(command);
			while (m.find()) {
				words.add(m.group());
			}
			if (words.isEmpty()) {
				throw new IllegalArgumentException("empty command in {{ " + pipeline + " }}");
			}
			String head = words.get(0);
			if (head.startsWith(".") || head.startsWith("$") || head.startsWith("\"") || head.matches("-?\\d+")) {
				if (words.size() != 1 || !first) {
					throw new IllegalArgumentException("not a function: " + head + " in {{ " + pipeline + " }}");
				}
				piped = value(head, dot);
			}
			else {
				List<Object> args = new ArrayList<>();
				for (String word : words.subList(1, words.size())) {
					args.add(value(word, dot));
				}
				if (!first) {
					args.add(piped);
				}
				piped = call(head, args);
			}
			first = false;
		}
		return piped;
	}

	private static List<String> splitPipes(String pipeline) {
		List<String> commands = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < pipeline.length(); i++) {
			char c = pipeline.charAt(i);
			if (c == '(' && !quoted) {
				throw new IllegalArgumentException("parentheses are outside the chart's template subset: " + pipeline);
			}
			if (c == '"' && (i == 0 || pipeline.charAt(i - 1) != '\\')) {
				quoted = !quoted;
			}
			if (c == '|' && !quoted) {
				commands.add(current.toString().strip());
				current.setLength(0);
			}
			else {
				current.append(c);
			}
		}
		commands.add(current.toString().strip());
		return commands;
	}

	private Object value(String word, Object dot) {
		if (word.startsWith("\"")) {
			return unquote(word);
		}
		if (word.matches("-?\\d+")) {
			return Long.parseLong(word);
		}
		Object base = dot;
		String path = word;
		if (word.startsWith("$")) {
			base = this.root;
			path = word.substring(1);
		}
		if (path.isEmpty() || path.equals(".")) {
			return base;
		}
		if (!path.startsWith(".")) {
			throw new IllegalArgumentException("variables other than $ are outside the chart's template subset: " + word);
		}
		Object value = base;
		for (String key : path.substring(1).split("\\.")) {
			if (!(value instanceof Map<?, ?> map)) {
				return null;
			}
			value = map.get(key);
		}
		return value;
	}

	private Object call(String function, List<Object> args) {
		return switch (function) {
			case "include" -> {
				arity(function, args, 2);
				List<Node> body = this.defines.get((String) args.get(0));
				if (body == null) {
					throw new IllegalArgumentException("no template named " + args.get(0));
				}
				StringBuilder out = new StringBuilder();
				render(body, args.get(1), out);
				yield out.toString();
			}
			case "toYaml" -> {
				arity(function, args, 1);
				DumperOptions options = new DumperOptions();
				options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
				options.setIndent(2);
				yield new Yaml(options).dump(args.get(0)).stripTrailing();
			}
			case "nindent", "indent" -> {
				arity(function, args, 2);
				String pad = " ".repeat(((Number) args.get(0)).intValue());
				String indented = pad + print(args.get(1)).replace("\n", "\n" + pad);
				yield function.equals("nindent") ? "\n" + indented : indented;
			}
			case "quote" -> {
				arity(function, args, 1);
				yield "\"" + print(args.get(0)).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
			}
			case "default" -> {
				arity(function, args, 2);
				yield truthy(args.get(1)) ? args.get(1) : args.get(0);
			}
			case "required" -> {
				arity(function, args, 2);
				if (!truthy(args.get(1))) {
					throw new IllegalArgumentException("execution error: " + args.get(0));
				}
				yield args.get(1);
			}
			case "add" -> args.stream().mapToLong(arg -> ((Number) arg).longValue()).sum();
			case "not" -> {
				arity(function, args, 1);
				yield !truthy(args.get(0));
			}
			case "sha256sum" -> {
				arity(function, args, 1);
				try {
					yield HexFormat.of()
						.formatHex(MessageDigest.getInstance("SHA-256")
							.digest(print(args.get(0)).getBytes(StandardCharsets.UTF_8)));
				}
				catch (NoSuchAlgorithmException ex) {
					throw new IllegalStateException(ex);
				}
			}
			default -> throw new IllegalArgumentException(
					"function " + function + " is outside the chart's template subset");
		};
	}

	private static void arity(String function, List<Object> args, int count) {
		if (args.size() != count) {
			throw new IllegalArgumentException(function + " takes " + count + " arguments, got " + args);
		}
	}

	/** Go templates' truth: false, 0, nil and empty strings, lists and maps are false. */
	static boolean truthy(Object value) {
		if (value == null || Boolean.FALSE.equals(value)) {
			return false;
		}
		if (value instanceof Number number) {
			return number.doubleValue() != 0;
		}
		if (value instanceof String text) {
			return !text.isEmpty();
		}
		if (value instanceof Collection<?> list) {
			return !list.isEmpty();
		}
		if (value instanceof Map<?, ?> map) {
			return !map.isEmpty();
		}
		return true;
	}

	private static String print(Object value) {
		if (value == null) {
			return "<no value>";
		}
		if (value instanceof Double number && number == Math.rint(number)) {
			return Long.toString(number.longValue());
		}
		return value.toString();
	}

	private static String unquote(String quoted) {
		if (!quoted.startsWith("\"") || !quoted.endsWith("\"") || quoted.length() < 2) {
			throw new IllegalArgumentException("expected a string: " + quoted);
		}
		return quoted.substring(1, quoted.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
	}

	/** A parsed piece of a template. */
	sealed interface Node permits Text, Action, Block {
	}

	record Text(String text) implements Node {
	}

	record Action(String pipeline) implements Node {
	}

	record Block(String keyword, String pipeline, List<Node> then, List<Node> otherwise) implements Node {
	}

}
