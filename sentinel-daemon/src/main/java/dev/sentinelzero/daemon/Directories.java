package dev.sentinelzero.daemon;

import dev.sentinelzero.protocol.ProtocolException;
import dev.sentinelzero.protocol.SentinelPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Creates the daemon's directories private (0700) and refuses ones that are not the user's own. */
final class Directories {
  private Directories() {}

  static void preparePrivate(Path dir) throws IOException, Daemon.StartupException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new Daemon.StartupException(dir + " exists but is not a directory; move it aside");
    }
    String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
    if (owner.equals(System.getProperty("user.name"))) {
      // Our own directory: tighten it if someone loosened it.
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
    try {
      SentinelPaths.checkPrivateDirectory(dir);
    } catch (ProtocolException e) {
      throw new Daemon.StartupException(e.getMessage());
    }
  }
}
