package io.wsgate.pools;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The status codes a probe accepts: single codes and inclusive ranges, written
 * {@code 200-399}, {@code 101} or {@code 200-299,418}.
 */
final class StatusCodes {

	private final List<int[]> ranges;

	private StatusCodes(List<int[]> ranges) {
		this.ranges = ranges;
	}

	/**
	 * Parses the entries (each may hold several, comma-separated).
	 * @throws IllegalArgumentException naming the entry that is not a code or range of 100-599
	 */
	static StatusCodes parse(List<String> entries) {
		List<int[]> ranges = new ArrayList<>();
		for (String entry : entries) {
			for (String part : entry.split(",")) {
				String text = part.trim();
				if (text.isEmpty()) {
					continue;
				}
				int dash = text.indexOf('-', 1);
				int low;
				int high;
				try {
					low = Integer.parseInt((dash < 0) ? text : text.substring(0, dash).trim());
					high = (dash < 0) ? low : Integer.parseInt(text.substring(dash + 1).trim());
				}
				catch (NumberFormatException ex) {
					throw new IllegalArgumentException("not a status code or range (like 200-399): " + text);
				}
				if (low < 100 || high > 599 || low > high) {
					throw new IllegalArgumentException("not a range of status codes within 100-599: " + text);
				}
				ranges.add(new int[] { low, high });
			}
		}
		if (ranges.isEmpty()) {
			throw new IllegalArgumentException("at least one status code or range is needed");
		}
		return new StatusCodes(ranges);
	}

	boolean contains(int status) {
		for (int[] range : this.ranges) {
			if (status >= range[0] && status <= range[1]) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return this.ranges.stream()
			.map(range -> (range[0] == range[1]) ? String.valueOf(range[0]) : range[0] + "-" + range[1])
			.collect(Collectors.joining(","));
	}

}
