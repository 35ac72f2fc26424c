package io.wsgate.resources;

import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.validation.constraints.AssertTrue;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where routes may read files from, under {@code wsgate.resources}: JWT public keys
 * ({@code WebSocketAuth} {@code jwt.public-key}) and JSON Schemas ({@code FrameInspection}
 * {@code json-schema}) given as a {@code file:} location must be under {@link #directory}.
 * Unset, no route reads a file; {@code classpath:} and inline values always work.
 */
@Validated
@ConfigurationProperties("wsgate.resources")
public class ResourceProperties {

	/** The one directory whose files routes may read; unset = {@code file:} locations are refused. */
	private @Nullable Path directory;

	public @Nullable Path getDirectory() {
		return this.directory;
	}

	public void setDirectory(@Nullable Path directory) {
		this.directory = directory;
	}

	/** For Bean Validation: a directory that is set must exist. */
	@AssertTrue(message = "wsgate.resources.directory must be an existing directory")
	public boolean isDirectoryUsable() {
		return this.directory == null || Files.isDirectory(this.directory);
	}

}
