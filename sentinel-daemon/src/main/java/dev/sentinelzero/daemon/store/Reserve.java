package dev.sentinelzero.daemon.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.SplittableRandom;

/**
 * A file of real, allocated blocks next to the database ({@code sentinel.db.reserve}) that the
 * store deletes when the disk refuses a write, so that the write can be tried once more in the
 * space it gave back (and a daemon starting on a full disk can open its database). Size: 1/16 of
 * the file system, between 64 KiB and 1 MiB. It is made again once the file system has room for
 * it twice over.
 *
 * <p>The space it frees goes back to the file system, not to SQLite alone: a process writing into
 * the same file system at that very moment can take it first. That is why a refused write never
 * depends on it (see {@link Store}): the reserve makes the first write after the disk fills land,
 * it does not make the disk bigger.
 *
 * <p>Thread: owned by its store's thread.
 */
final class Reserve {
  static final long MIN_BYTES = 64 * 1024;
  static final long MAX_BYTES = 1024 * 1024;
  private static final int CHUNK = 64 * 1024;

  private final Path file;

  Reserve(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  boolean present() {
    return Files.isRegularFile(file);
  }

  /** The size a reserve gets on this file system. */
  long size() throws IOException {
    FileStore fs = Files.getFileStore(file.getParent());
    return Math.max(MIN_BYTES, Math.min(MAX_BYTES, fs.getTotalSpace() / 16 / 4096 * 4096));
  }

  /**
   * Creates the reserve if it is missing and the file system has room for it twice over.
   *
   * @return whether a reserve is there afterwards
   */
  boolean ensure() {
    if (present()) {
      return true;
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      long size = size();
      if (Files.getFileStore(file.getParent()).getUsableSpace() < 2 * size) {
        return false;
      }
      // Bytes that no file system stores sparsely or compresses away.
      byte[] block = new byte[CHUNK];
      new SplittableRandom(size).nextBytes(block);
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        for (long written = 0; written < size; written += CHUNK) {
          ByteBuffer buf = ByteBuffer.wrap(block, 0, (int) Math.min(CHUNK, size - written));
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
        ch.force(true);
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException | RuntimeException e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // a full disk: tried again later
      }
      return false;
    }
  }

  /**
   * Deletes the reserve (and a half-made one).
   *
   * @return the bytes given back to the file system, 0 when there was no reserve
   */
  long release() {
    long freed = 0;
    for (Path p : new Path[] {file, file.resolveSibling(file.getFileName() + ".tmp")}) {
      try {
        long size = Files.size(p);
        Files.delete(p);
        freed += size;
      } catch (IOException e) {
        // not there
      }
    }
    return freed;
  }
}
