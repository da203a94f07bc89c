package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import com.sun.jna.ptr.IntByReference;

/**
 * The C library calls Linux (glibc) and macOS (libSystem) share, mapped with JNA. Paths are passed
 * as NUL-terminated byte arrays in the JVM's file-name encoding ({@link NativeStrings}), not as
 * Java strings, so a path reaches the kernel exactly as {@link java.nio.file.Files} sees it.
 *
 * <p>The posix_spawn family returns an error number instead of setting errno; the other calls
 * return -1 and throw {@link LastErrorException} carrying errno. Only 64-bit platforms are
 * supported, where C {@code long}, {@code size_t} and pointers are 64 bits.
 */
interface PosixLibc extends Library {
  int posix_spawn(
      IntByReference pid,
      byte[] path,
      Pointer fileActions,
      Pointer attributes,
      StringArray argv,
      StringArray envp);

  int posix_spawnattr_init(Pointer attributes);

  int posix_spawnattr_destroy(Pointer attributes);

  int posix_spawnattr_setflags(Pointer attributes, short flags);

  int posix_spawnattr_setpgroup(Pointer attributes, int pgroup);

  int posix_spawnattr_setsigmask(Pointer attributes, Pointer sigset);

  int posix_spawnattr_setsigdefault(Pointer attributes, Pointer sigset);

  int posix_spawn_file_actions_init(Pointer fileActions);

  int posix_spawn_file_actions_destroy(Pointer fileActions);

  int posix_spawn_file_actions_addopen(
      Pointer fileActions, int fd, byte[] path, int openFlags, int mode);

  /** glibc 2.29+, macOS 10.15+. */
  int posix_spawn_file_actions_addchdir_np(Pointer fileActions, byte[] path);

  int kill(int pid, int signal) throws LastErrorException;

  /** {@code waitid(idtype_t, id_t, siginfo_t *, int)}. */
  int waitid(int idType, int id, Pointer siginfo, int options) throws LastErrorException;

  int waitpid(int pid, Pointer status, int options) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  /** {@code getsockopt(int, int, int, void *, socklen_t *)}; socklen_t is 32 bits on both. */
  int getsockopt(int fd, int level, int name, Pointer value, IntByReference length)
      throws LastErrorException;

  /**
   * {@code poll(struct pollfd *, nfds_t, int)}. nfds_t is unsigned long on Linux and unsigned int
   * on macOS; passed as a 64-bit value, of which macOS reads the low 32 bits (both are LP64, the
   * argument goes in a register).
   */
  int poll(Pointer fds, long nfds, int timeoutMs) throws LastErrorException;

  String strerror(int errno);
}
