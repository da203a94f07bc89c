package dev.sentinelzero.daemon.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite's native library, which the driver (xerial) carries inside its jar: unpacked once per
 * library version into {@code <home>/native/<version>/<os>/<arch>/} and loaded from there by every
 * later daemon ({@code org.sqlite.lib.path}), instead of the driver's own habit of unpacking a
 * fresh, randomly named copy at every start and deleting it only on a clean JVM exit (30 daemons
 * killed with {@code kill -9} left 30 MiB behind). Whatever else is in {@code <home>/native} (such
 * leftovers, other versions' copies) is deleted: only the daemon holding the home's lock calls
 * this, so no other daemon of this home can be using them.
 *
 * <p>The copy is written to a temporary name and renamed into place, so a daemon killed while
 * unpacking leaves no half-written library that a later one would load. When the library cannot
 * be unpacked (a full disk), the driver is left to unpack it into {@code java.io.tmpdir} as it
 * would by default, and the daemon says so in its log.
 *
 * <p>Thread: called once, on the main thread, before the first database is opened.
 */
public final class SqliteLibrary {
  private static final Logger log = LoggerFactory.getLogger(SqliteLibrary.class);

  private SqliteLibrary() {}

  /**
   * Makes the driver load its library from {@code dir} (created 0700 by the caller), unpacking it
   * there first if this version is not there yet, and deletes stale copies.
   *
   * @return the library file that the driver will load
   */
  public static Path useDirectory(Path dir) {
    String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath();
    String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
    String version = org.sqlite.SQLiteJDBCLoader.getVersion();
    // <version>/<os>/<arch>: the resource path ends with the driver's own os/arch folder names.
    Path versionDir = dir.resolve(safe(version));
    Path libDir = versionDir;
    for (String part : resource.replaceFirst("^/?org/sqlite/native/?", "").split("/")) {
      if (!part.isEmpty()) {
        libDir = libDir.resolve(safe(part));
      }
    }
    Path lib = libDir.resolve(name);
    removeStale(dir, versionDir);
    // Where the driver unpacks its own copy if ours cannot be used: the home, not a shared /tmp.
    System.setProperty("org.sqlite.tmpdir", dir.toString());
    try {
      if (!Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS)) {
        unpack(resource + "/" + name, libDir, lib);
        log.info("unpacked SQLite's native library {} into {}", version, lib);
      }
      System.setProperty("org.sqlite.lib.path", libDir.toString());
      System.setProperty("org.sqlite.lib.name", name);
    } catch (IOException e) {
      log.warn(
          "cannot unpack SQLite's native library into {} ({}); the driver unpacks a copy of its own",
          libDir,
          e.getMessage());
    }
    return lib;
  }

  private static void unpack(String resource, Path libDir, Path lib) throws IOException {
    Files.createDirectories(libDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path tmp = libDir.resolve(lib.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("the driver's jar holds no " + resource);
      }
      Files.deleteIfExists(tmp);
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // the next start removes it with the other stale files
      }
      throw e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
    }
  }

  /** Deletes everything in {@code dir} but {@code keep}, and half-written copies inside it. */
  private static void removeStale(Path dir, Path keep) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (!entry.equals(keep)) {
          deleteTree(entry);
        }
      }
    } catch (IOException e) {
      log.warn("cannot clean {}: {}", dir, e.getMessage());
    }
    if (Files.isDirectory(keep, LinkOption.NOFOLLOW_LINKS)) {
      try (Stream<Path> all = Files.walk(keep)) {
        all.filter(p -> p.getFileName().toString().contains(".tmp-")).forEach(SqliteLibrary::deleteQuietly);
      } catch (IOException e) {
        log.warn("cannot clean {}: {}", keep, e.getMessage());
      }
    }
  }

  private static void deleteTree(Path path) {
    if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      deleteQuietly(path);
      return;
    }
    try (Stream<Path> all = Files.walk(path)) {
      all.sorted(Comparator.reverseOrder()).forEach(SqliteLibrary::deleteQuietly);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", path, e.getMessage());
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", path, e.getMessage());
    }
  }

  /** A path element from a driver-supplied string: no separators, no dot-dot. */
  private static String safe(String part) {
    String s = part.replaceAll("[^A-Za-z0-9._-]", "_");
    return s.isEmpty() || s.equals(".") || s.equals("..") ? "_" : s;
  }
}
