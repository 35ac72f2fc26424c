package io.wsgate.support;

import java.time.Duration;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A headless Chromium for a test class ({@link HeadlessChrome}), started once for the class,
 * with a new tab for each test: {@code @RegisterExtension static final ChromeSession chrome = new ChromeSession();}
 */
public final class ChromeSession implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

	private HeadlessChrome chrome;

	private HeadlessChrome.Page page;

	/** The current test's tab. */
	public HeadlessChrome.Page page() {
		return this.page;
	}

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		this.chrome = HeadlessChrome.start(Duration.ofSeconds(30));
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.page = this.chrome.openPage();
	}

	@Override
	public void afterEach(ExtensionContext context) {
		if (this.page != null) {
			this.page.close();
			this.page = null;
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		if (this.chrome != null) {
			this.chrome.close();
			this.chrome = null;
		}
	}

}
