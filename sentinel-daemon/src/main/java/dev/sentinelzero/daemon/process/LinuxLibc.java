package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** glibc and Linux system calls beyond {@link PosixLibc}. Constants are the x86_64/aarch64 ones
 * (the two architectures supported).
 */
interface LinuxLibc extends PosixLibc {
  LinuxLibc INSTANCE = Native.load("c", LinuxLibc.class);

  // posix_spawn flags (glibc spawn.h)
  short POSIX_SPAWN_SETPGROUP = 0x02;
  short POSIX_SPAWN_SETSIGDEF = 0x04;
  short POSIX_SPAWN_SETSIGMASK = 0x08;

  int O_RDONLY = 0;
  int O_WRONLY = 1;
  int O_CREAT = 0100;
  int O_APPEND = 02000;
  /**
   * O_NOFOLLOW differs between architectures: 0400000 in the generic layout that x86_64 uses
   * (glibc {@code bits/fcntl-linux.h}, the kernel's {@code asm-generic/fcntl.h}), 0100000 on
   * aarch64 (glibc {@code sysdeps/unix/sysv/linux/aarch64/bits/fcntl.h}, the kernel's {@code
   * arch/arm64/include/uapi/asm/fcntl.h}). -1 on other architectures, which {@link LinuxOs}
   * refuses.
   */
  int O_NOFOLLOW = noFollowFlag(System.getProperty("os.arch", ""));

  int P_PID = 1;
  int WNOHANG = 1;
  int WEXITED = 4;
  int WNOWAIT = 0x01000000;

  int SYS_PIDFD_OPEN = 434; // the same number on every architecture (added in 5.3)
  int SYS_PIDFD_SEND_SIGNAL = 424; // likewise (added in 5.1)
  int EPOLL_CLOEXEC = 02000000;
  int EPOLL_CTL_ADD = 1;
  int EPOLLIN = 0x001;
  int EFD_CLOEXEC = 02000000;
  int EFD_NONBLOCK = 04000;
  int SC_CLK_TCK = 2;

  // getsockopt on a Unix-domain socket: struct ucred {pid_t pid; uid_t uid; gid_t gid;}
  int SOL_SOCKET = 1;
  int SO_PEERCRED = 17;
  int UCRED_SIZE = 12;

  /** O_NOFOLLOW for the JVM's {@code os.arch}; -1 for an architecture not supported. */
  static int noFollowFlag(String arch) {
    return switch (arch) {
      case "amd64", "x86_64" -> 0400000;
      case "aarch64", "arm64" -> 0100000;
      default -> -1;
    };
  }

  /** glibc 2.34+. */
  int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

  /** Used only for pidfd_open, whose glibc wrapper is newer than glibc 2.36. */
  long syscall(long number, int pid, int flags) throws LastErrorException;

  /** Used only for {@code pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned flags)}. */
  long syscall(long number, int pidfd, int signal, Pointer info, int flags)
      throws LastErrorException;

  int epoll_create1(int flags) throws LastErrorException;

  int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

  int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis)
      throws LastErrorException;

  int eventfd(int initialValue, int flags) throws LastErrorException;

  long read(int fd, Pointer buffer, long count) throws LastErrorException;

  long write(int fd, Pointer buffer, long count) throws LastErrorException;

  long sysconf(int name);
}
