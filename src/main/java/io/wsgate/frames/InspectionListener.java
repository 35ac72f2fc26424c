package io.wsgate.frames;

/** Told of every decision other than pass: what the {@code metrics} package counts. */
public interface InspectionListener {

	/**
	 * @param hook the hook's name ({@code max-size}, {@code json}, {@code deny}, {@code bean:<name>}, ...)
	 * @param decision {@code replace}, {@code drop}, {@code close} or {@code timeout}
	 */
	void decided(String routeId, String hook, HookContext.Direction direction, String decision);

}
