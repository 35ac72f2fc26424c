package io.wsgate.pools;

import java.nio.charset.StandardCharsets;

/** The hashes the hash policies use: stable across processes and restarts (never String#hashCode alone). */
final class Hashing {

	private Hashing() {
	}

	/** FNV-1a over the UTF-8 bytes, then mixed. */
	static long hash(String text) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xff);
			hash *= 0x100000001b3L;
		}
		return mix(hash);
	}

	/** A 64-bit finaliser (MurmurHash3's fmix64): every input bit affects every output bit. */
	static long mix(long value) {
		long h = value;
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb9fe1a85ec53L;
		h ^= h >>> 33;
		return h;
	}

}
