package dev.sentinelzero.daemon;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import dev.sentinelzero.protocol.SafeText;

/**
 * The daemon log's message and exception converters: every record is one line (plus the frames
 * of a stack trace, one per line), whatever a client sent. A message or an exception's message
 * (which may quote a client's frame: a path with a NUL, a name with a newline) has its control
 * characters written as {@code \\uXXXX} and is cut to {@link #MAX_MESSAGE_CHARS}, so nothing
 * outside can forge a log line or put raw control bytes into {@code daemon.log}. Stateless; any
 * thread (Logback calls them on the logging thread).
 */
final class SafeLogText {
  static final int MAX_MESSAGE_CHARS = 16 * 1024;

  private SafeLogText() {}

  /** {@code %safeMsg}: the formatted message, escaped. */
  public static final class Message extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return SafeText.oneLine(event.getFormattedMessage(), MAX_MESSAGE_CHARS);
    }
  }

  /** {@code %safeEx}: the exception with its causes and suppressed ones, messages escaped. */
  public static final class Throwable extends ThrowableHandlingConverter {
    @Override
    public String convert(ILoggingEvent event) {
      IThrowableProxy proxy = event.getThrowableProxy();
      if (proxy == null) {
        return "";
      }
      StringBuilder out = new StringBuilder(2048);
      append(out, proxy, "", 0);
      return out.toString();
    }

    private static void append(StringBuilder out, IThrowableProxy proxy, String prefix, int depth) {
      out.append(prefix).append(proxy.getClassName());
      if (proxy.getMessage() != null) {
        out.append(": ").append(SafeText.oneLine(proxy.getMessage(), MAX_MESSAGE_CHARS));
      }
      out.append('\n');
      StackTraceElementProxy[] frames = proxy.getStackTraceElementProxyArray();
      int shown = frames.length - proxy.getCommonFrames();
      for (int i = 0; i < shown; i++) {
        out.append("\tat ").append(SafeText.oneLine(frames[i].getStackTraceElement().toString(), 1024)).append('\n');
      }
      if (proxy.getCommonFrames() > 0) {
        out.append("\t... ").append(proxy.getCommonFrames()).append(" common frames omitted\n");
      }
      if (depth >= 16) {
        return; // a cycle or an absurd chain: enough
      }
      IThrowableProxy[] suppressed = proxy.getSuppressed();
      if (suppressed != null) {
        for (IThrowableProxy s : suppressed) {
          append(out, s, "\tSuppressed: ", depth + 1);
        }
      }
      if (proxy.getCause() != null) {
        append(out, proxy.getCause(), "Caused by: ", depth + 1);
      }
    }
  }
}
