package io.wsgate.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README and every page under {@code docs/}: each relative Markdown link points at a file
 * that exists, and each {@code #anchor} (on its own or after a path to a Markdown file) at a
 * heading of that file, by GitHub's anchors (lower case, punctuation dropped, spaces as
 * {@code -}, a repeated heading's anchor suffixed {@code -1}, {@code -2}, ...). Links in code
 * are not links; {@code http(s)://} and other absolute links are not fetched.
 */
class DocsLinksTest {

	private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");

	private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");

	private static final Pattern CODE_SPAN = Pattern.compile("(`+)[^`].*?\\1|`+");

	/** {@code [text](target)} or {@code [text](target "title")}; images too. */
	private static final Pattern LINK = Pattern.compile("\\]\\(\\s*<?([^\\s)>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

	private static final Pattern ABSOLUTE = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

	@Test
	void everyRelativeLinkOfTheReadmeAndTheDocsResolves() throws IOException {
		List<Path> pages = pages(Path.of("."));
		assertThat(pages).contains(Path.of("./README.md"), Path.of("./docs/configuration.md"),
				Path.of("./docs/troubleshooting.md"));
		List<String> checked = new ArrayList<>();
		List<String> broken = check(pages, checked);
		assertThat(broken).as("links that do not resolve").isEmpty();
		assertThat(checked).as("links checked").hasSizeGreaterThan(80);
	}

	@Test
	void everyDocsPageIsOnTheReadmesMap() throws IOException {
		String readme = Files.readString(Path.of("README.md"));
		try (Stream<Path> docs = Files.list(Path.of("docs"))) {
			assertThat(docs.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".md")))
				.isNotEmpty()
				.allSatisfy(name -> assertThat(readme).as("README's map of the docs")
					.contains("[docs/" + name + "](docs/" + name + ")"));
		}
	}

	@Test
	void aMissingFileOrAnchorIsFoundAndCodeIsNoLink(@TempDir Path dir) throws IOException {
		Files.createDirectories(dir.resolve("docs"));
		Files.writeString(dir.resolve("README.md"), """
				# Title

				See [routes](docs/routes.md), [a section](docs/routes.md#routes-at-runtime), [the second
				one](docs/routes.md#examples-1), [here](#title) and [TLS](docs/routes.md#tls-wss).
				Broken: [gone](docs/gone.md), [no such heading](docs/routes.md#nowhere) and [here too](#nothing).
				Not links: `[x](nowhere.md)`, [web](https://example.com/missing.md) and <http://example.com>.

				```md
				[in a fence](fenced.md)
				```
				""");
		Files.writeString(dir.resolve("docs/routes.md"), """
				# Routes

				## Routes at runtime

				## Examples

				```sh
				# not a heading
				```

				## Examples

				### TLS (wss://)

				Back to [the README](../README.md#title) and [nowhere](../README.md#not-a-heading).
				""");
		List<String> broken = check(pages(dir), new ArrayList<>());
		assertThat(broken).hasSize(4)
			.anySatisfy(problem -> assertThat(problem).contains("docs/gone.md").contains("no such file"))
			.anySatisfy(problem -> assertThat(problem).contains("docs/routes.md#nowhere"))
			.anySatisfy(problem -> assertThat(problem).contains("(#nothing)"))
			.anySatisfy(problem -> assertThat(problem).contains("../README.md#not-a-heading"));
		assertThat(anchors("# A\n## Examples\n```\n# not a heading\n```\n## Examples\n## Examples"))
			.containsExactly("a", "examples", "examples-1", "examples-2");
	}

	@Test
	void anchorsAreGitHubs() {
		assertThat(slug("TLS (wss://)")).isEqualTo("tls-wss");
		assertThat(slug("Soak (`bench/soak.sh`)")).isEqualTo("soak-benchsoaksh");
		assertThat(slug("Spring Security guards the management plane, and only it"))
			.isEqualTo("spring-security-guards-the-management-plane-and-only-it");
		assertThat(slug("WebSocket APIs on HTTP services: `WebSocketBridge`"))
			.isEqualTo("websocket-apis-on-http-services-websocketbridge");
		assertThat(slug("Pods: Pod Security \"restricted\"")).isEqualTo("pods-pod-security-restricted");
		assertThat(slug("[Linked](elsewhere.md) and **bold** snake_case")).isEqualTo("linked-and-bold-snake_case");
		assertThat(slug("Connection churn: nothing leaked (`ChurnLeakTest`)"))
			.isEqualTo("connection-churn-nothing-leaked-churnleaktest");
	}

	/** README.md and docs/*.md under {@code root}, in order. */
	private static List<Path> pages(Path root) throws IOException {
		List<Path> pages = new ArrayList<>();
		pages.add(root.resolve("README.md"));
		try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
			docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(pages::add);
		}
		return pages;
	}

	/** What is broken in {@code pages}' relative links, one line each; {@code checked} gets every link. */
	private static List<String> check(List<Path> pages, List<String> checked) throws IOException {
		Map<Path, Set<String>> anchors = new HashMap<>();
		List<String> broken = new ArrayList<>();
		for (Path page : pages) {
			List<String> lines = Files.readAllLines(page);
			boolean fenced = false;
			for (int i = 0; i < lines.size(); i++) {
				String line = lines.get(i);
				if (FENCE.matcher(line).find()) {
					fenced = !fenced;
					continue;
				}
				if (fenced) {
					continue;
				}
				Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
				while (link.find()) {
					String target = link.group(1);
					if (ABSOLUTE.matcher(target).find()) {
						continue;
					}
					checked.add(target);
					String where = page + ":" + (i + 1) + ": (" + target + ")";
					int hash = target.indexOf('#');
					String file = (hash < 0) ? target : target.substring(0, hash);
					Path linked = file.isEmpty() ? page : page.resolveSibling(file).normalize();
					if (!Files.exists(linked)) {
						broken.add(where + ": no such file " + linked);
					}
					else if (hash >= 0 && linked.toString().endsWith(".md")) {
						String anchor = target.substring(hash + 1);
						Set<String> headings = anchors.computeIfAbsent(linked.toAbsolutePath().normalize(),
								path -> anchors(read(path)));
						if (!headings.contains(anchor)) {
							broken.add(where + ": no heading #" + anchor + " in " + linked);
						}
					}
				}
			}
		}
		return broken;
	}

	/** The anchors GitHub gives the headings of a Markdown text, in order. */
	private static Set<String> anchors(String markdown) {
		Set<String> anchors = new LinkedHashSet<>();
		Map<String, Integer> seen = new HashMap<>();
		boolean fenced = false;
		for (String line : markdown.split("\n", -1)) {
			if (FENCE.matcher(line).find()) {
				fenced = !fenced;
				continue;
			}
			Matcher heading = HEADING.matcher(line);
			if (fenced || !heading.matches()) {
				continue;
			}
			String slug = slug(heading.group(2));
			Integer times = seen.merge(slug, 1, Integer::sum) - 1;
			anchors.add((times == 0) ? slug : slug + "-" + times);
		}
		return anchors;
	}

	/** GitHub's anchor of a heading's text: its rendered text in lower case, punctuation dropped, spaces as '-'. */
	private static String slug(String heading) {
		String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replaceAll("<[^>]+>", "");
		return text.strip()
			.toLowerCase(Locale.ROOT)
			.replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc}\\- ]", "")
			.replace(' ', '-');
	}

	private static String read(Path path) {
		try {
			return Files.readString(path);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
