package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** glibc and Linux system calls beyond {@link PosixLibc}. Constants are the x86_64/aarch64 ones. */
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

  int P_PID = 1;
  int WNOHANG = 1;
  int WEXITED = 4;
  int WNOWAIT = 0x01000000;

  int SYS_PIDFD_OPEN = 434; // the same number on every architecture (added in 5.3)
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

  /** glibc 2.34+. */
  int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

  /** Used only for pidfd_open, whose glibc wrapper is newer than glibc 2.36. */
  long syscall(long number, int pid, int flags) throws LastErrorException;

  int epoll_create1(int flags) throws LastErrorException;

  int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

  int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis)
      throws LastErrorException;

  int eventfd(int initialValue, int flags) throws LastErrorException;

  long read(int fd, Pointer buffer, long count) throws LastErrorException;

  long write(int fd, Pointer buffer, long count) throws LastErrorException;

  long sysconf(int name);
}
