package dev.sentinelzero.cli;

import dev.sentinelzero.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Answers {@code -V}: the build version, read only when asked. */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() throws IOException {
    Properties props = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        props.load(in);
      }
    }
    return new String[] {
      "sentinel " + props.getProperty("version", "unknown") + " (protocol " + Protocol.VERSION + ")"
    };
  }
}
