package dev.sentinelzero.daemon.process;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

/**
 * libSystem calls beyond {@link PosixLibc}, with constants from the xnu and Libc headers ({@code
 * spawn.h}, {@code fcntl.h}, {@code sys/wait.h}, {@code sys/event.h}, {@code sys/proc_info.h},
 * {@code libproc.h}). Written from those sources, not run on a Mac yet.
 */
interface MacLibc extends PosixLibc {
  MacLibc INSTANCE = Native.load("System", MacLibc.class);

  short POSIX_SPAWN_SETPGROUP = 0x02;
  short POSIX_SPAWN_SETSIGDEF = 0x04;
  short POSIX_SPAWN_SETSIGMASK = 0x08;

  /** Apple extension: only descriptors named by file actions are inherited. */
  short POSIX_SPAWN_CLOEXEC_DEFAULT = 0x4000;

  int O_RDONLY = 0;
  int O_WRONLY = 1;
  int O_CREAT = 0x200;
  int O_APPEND = 0x8;
  /** {@code bsd/sys/fcntl.h}. */
  int O_NOFOLLOW = 0x100;
  /** {@code sys/syslimits.h}: the size of posix_spawn's open-action path field, NUL included. */
  int PATH_MAX = 1024;

  int P_PID = 1;
  int WNOHANG = 0x01;
  int WEXITED = 0x04;
  int WNOWAIT = 0x20;

  // struct kevent (64-bit): ident u64 @0, filter i16 @8, flags u16 @10, fflags u32 @12,
  // data i64 @16, udata ptr @24; 32 bytes.
  int KEVENT_SIZE = 32;
  short EVFILT_PROC = -5;
  short EVFILT_USER = -10;
  short EV_ADD = 0x0001;
  short EV_CLEAR = 0x0020;
  short EV_ONESHOT = 0x0010;
  int NOTE_EXIT = 0x80000000;
  int NOTE_EXITSTATUS = 0x04000000;
  int NOTE_TRIGGER = 0x01000000;

  int PROC_PGRP_ONLY = 2;
  /** proc_listpids: the processes whose effective uid is the given one. */
  int PROC_UID_ONLY = 4;
  int PROC_PIDTBSDINFO = 3;
  /** {@code struct proc_bsdshortinfo}: no same-user check ({@link MacShortInfo}). */
  int PROC_PIDT_SHORTBSDINFO = 13;

  /** sizeof(struct proc_bsdinfo). */
  int PROC_BSDINFO_SIZE = 136;

  int PBI_STATUS_OFFSET = 4;
  int PBI_PGID_OFFSET = 100;
  int PBI_START_TVSEC_OFFSET = 120;
  int PBI_START_TVUSEC_OFFSET = 128;
  int SZOMB = 5;

  // sysctl names (sys/sysctl.h): {CTL_KERN, KERN_ARGMAX} is an int, the most bytes of arguments
  // and environment an exec takes; {CTL_KERN, KERN_PROCARGS2, pid} is a process's argc, path,
  // argv and environment (MacProcArgs).
  int CTL_KERN = 1;
  int KERN_OSRELEASE = 2;
  int KERN_ARGMAX = 8;
  int KERN_PROCARGS2 = 49;

  /**
   * getsockopt level and option of {@code sys/un.h}: the pid of the last process to use the
   * peer's socket (not necessarily the one that connected; {@code bsd/kern/uipc_usrreq.c}).
   */
  int SOL_LOCAL = 0;
  int LOCAL_PEERPID = 0x002;

  int kqueue() throws LastErrorException;

  int kevent(
      int kq, Pointer changes, int changeCount, Pointer events, int eventCount, Pointer timeout)
      throws LastErrorException;

  /** Returns the number of bytes written into buffer (or needed, when buffer is null). */
  int proc_listpids(int type, int typeInfo, Pointer buffer, int bufferSize);

  /** Returns the number of bytes written, or 0 or less when the process is gone (or a zombie). */
  int proc_pidinfo(int pid, int flavor, long arg, Pointer buffer, int bufferSize);

  /**
   * {@code sysctl(int *name, u_int namelen, void *oldp, size_t *oldlenp, void *newp, size_t
   * newlen)}; on return {@code oldLength} holds the bytes written.
   */
  int sysctl(
      int[] name,
      int nameLength,
      Pointer old,
      LongByReference oldLength,
      Pointer value,
      long valueLength)
      throws LastErrorException;

  int geteuid();

  int getsid(int pid) throws LastErrorException;
}
