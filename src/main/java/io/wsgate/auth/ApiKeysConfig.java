package io.wsgate.auth;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/** {@code WebSocketAuth}'s {@code api-keys.*}: where the key is sent and the keys accepted. */
public class ApiKeysConfig {

	/** The request header carrying the key. */
	private String header = "X-API-Key";

	/** A query parameter that may carry the key instead (off unless set). */
	private @Nullable String queryParam;

	/** The accepted keys. */
	private List<ApiKey> keys = new ArrayList<>();

	public String getHeader() {
		return this.header;
	}

	public ApiKeysConfig setHeader(String header) {
		this.header = header;
		return this;
	}

	public @Nullable String getQueryParam() {
		return this.queryParam;
	}

	public ApiKeysConfig setQueryParam(@Nullable String queryParam) {
		this.queryParam = queryParam;
		return this;
	}

	public List<ApiKey> getKeys() {
		return this.keys;
	}

	public ApiKeysConfig setKeys(List<ApiKey> keys) {
		this.keys = keys;
		return this;
	}

	/** One API key: its id (who it is) and the key's hash (SHA-256 hex or {@code {bcrypt}...}). */
	public static class ApiKey {

		private @Nullable String id;

		private @Nullable String hash;

		public @Nullable String getId() {
			return this.id;
		}

		public ApiKey setId(@Nullable String id) {
			this.id = id;
			return this;
		}

		public @Nullable String getHash() {
			return this.hash;
		}

		public ApiKey setHash(@Nullable String hash) {
			this.hash = hash;
			return this;
		}

	}

}
