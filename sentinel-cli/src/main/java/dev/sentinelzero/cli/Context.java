package dev.sentinelzero.cli;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * What the commands read from their surroundings, gathered in one value so that a test can hand
 * in its own environment, working directory and daemon launch settings instead of the JVM's.
 *
 * @param env the environment ({@code SENTINEL_HOME}, {@code SENTINEL_NO_AUTOSTART}, {@code PATH},
 *     {@code XDG_*}); also the environment a started daemon gets
 * @param cwd the absolute directory relative paths (such as {@code --cwd}) are resolved against
 * @param daemonClasspath the class path of the daemon JVM, or null to find {@code
 *     sentinel-daemon.jar} beside this CLI (see {@link DaemonLauncher})
 * @param daemonMainClass the daemon's main class
 * @param clock now and the local time zone for what commands show, such as when a process's
 *     next restart attempt is due (timeouts of the connection keep their own monotonic time)
 */
record Context(
    Map<String, String> env,
    Path cwd,
    String daemonClasspath,
    String daemonMainClass,
    Clock clock) {

  static final String NO_AUTOSTART_ENV = "SENTINEL_NO_AUTOSTART";
  static final String DAEMON_MAIN_CLASS = "dev.sentinelzero.daemon.Main";

  /** A context with the system clock in the default time zone. */
  Context(Map<String, String> env, Path cwd, String daemonClasspath, String daemonMainClass) {
    this(env, cwd, daemonClasspath, daemonMainClass, Clock.systemDefaultZone());
  }

  /**
   * The real surroundings. The daemon class path comes from the system property {@code
   * sentinel.daemon.classpath} (tests), else {@code sentinel.daemon.jar} (set by bin/sentinel).
   */
  static Context system() {
    String classpath = System.getProperty("sentinel.daemon.classpath");
    if (classpath == null) {
      classpath = System.getProperty("sentinel.daemon.jar");
    }
    return new Context(
        System.getenv(), Path.of("").toAbsolutePath(), classpath, DAEMON_MAIN_CLASS);
  }

  /** This context with another clock (tests fix now and the zone). */
  Context withClock(Clock other) {
    return new Context(env, cwd, daemonClasspath, daemonMainClass, other);
  }

  /** False when {@code SENTINEL_NO_AUTOSTART=1}: commands then fail instead of starting a daemon. */
  boolean autostart() {
    return !"1".equals(env.get(NO_AUTOSTART_ENV));
  }
}
