package dev.sentinelzero.daemon;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.FileAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's own log: always to {@code <logs>/daemon.log} (created 0600 before Logback opens it,
 * since Logback would create it with the umask), and to the console too when the daemon runs in
 * the foreground on a terminal. Level INFO, or DEBUG with {@code SENTINEL_LOG_LEVEL=debug}.
 */
final class DaemonLogging {
  /**
   * One line per record; the message and any exception go through {@link SafeLogText}, so that
   * what a client sent cannot put control characters into the log.
   */
  private static final String PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %safeMsg%n%safeEx";

  private DaemonLogging() {}

  static void configure(Path logFile, boolean console, String level) throws IOException {
    if (!Files.exists(logFile)) {
      Files.createFile(logFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.setPosixFilePermissions(logFile, PosixFilePermissions.fromString("rw-------"));
    }
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    registerConverters(ctx);
    ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level, Level.INFO));
    // Libraries stay quiet unless something is wrong.
    ctx.getLogger("oshi").setLevel(Level.WARN);
    ctx.getLogger("org.sqlite").setLevel(Level.WARN);

    FileAppender<ILoggingEvent> file = new FileAppender<>();
    file.setContext(ctx);
    file.setName("file");
    file.setFile(logFile.toString());
    file.setAppend(true);
    file.setEncoder(encoder(ctx));
    file.start();
    root.addAppender(file);

    if (console) {
      ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
      out.setContext(ctx);
      out.setName("console");
      out.setTarget("System.err");
      out.setEncoder(encoder(ctx));
      out.start();
      root.addAppender(out);
    }
  }

  @SuppressWarnings("unchecked")
  private static void registerConverters(LoggerContext ctx) {
    Map<String, String> rules =
        (Map<String, String>) ctx.getObject(CoreConstants.PATTERN_RULE_REGISTRY);
    if (rules == null) {
      rules = new HashMap<>();
      ctx.putObject(CoreConstants.PATTERN_RULE_REGISTRY, rules);
    }
    rules.put("safeMsg", SafeLogText.Message.class.getName());
    rules.put("safeEx", SafeLogText.Throwable.class.getName());
  }

  static void flushAndStop() {
    ((LoggerContext) LoggerFactory.getILoggerFactory()).stop();
  }

  private static PatternLayoutEncoder encoder(LoggerContext ctx) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern(PATTERN);
    encoder.start();
    return encoder;
  }
}
