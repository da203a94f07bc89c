package dev.sentinelzero.daemon.process;

/**
 * A signal as this platform numbers it.
 *
 * @param name its name without {@code SIG}, upper case, e.g. {@code TERM}
 * @param number its number on this platform (USR1 is 10 on Linux, 30 on macOS)
 */
public record Signal(String name, int number) {}
