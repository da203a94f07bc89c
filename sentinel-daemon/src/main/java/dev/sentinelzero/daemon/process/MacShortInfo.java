package dev.sentinelzero.daemon.process;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The fields used from macOS's {@code struct proc_bsdshortinfo} ({@code bsd/sys/proc_info.h}), as
 * {@code proc_pidinfo(pid, PROC_PIDT_SHORTBSDINFO, 0, ...)} fills it: pbsi_pid u32 @0, pbsi_ppid
 * @4, pbsi_pgid @8, pbsi_status @12, pbsi_comm[16] @16, then flags and six ids, 64 bytes in all.
 *
 * <p>Why the short form for liveness and group membership: xnu's {@code proc_pidinfo} ({@code
 * bsd/kern/proc_info.c}) checks that the caller has the target's uid for {@code PROC_PIDTBSDINFO}
 * and answers EPERM otherwise, so a group member that runs as another user (through {@code sudo}
 * or a setuid helper) would look gone and a stop would complete while it still runs; {@code
 * PROC_PIDT_SHORTBSDINFO} is among the flavours it answers without that check. With arg 0 it
 * looks only at live processes ({@code proc_find} skips zombies), and the status is checked too.
 * The start time is only in the full form, so {@link MacOs#startTime} still uses {@code
 * PROC_PIDTBSDINFO} (for our own user's processes, which are the ones adopted).
 *
 * <p>A pure value and decoder; any thread.
 */
record MacShortInfo(long pid, long pgid, int status) {
  static final int SIZE = 64;
  private static final int PID_OFFSET = 0;
  private static final int PGID_OFFSET = 8;
  private static final int STATUS_OFFSET = 12;
  /** {@code p_stat} of a zombie ({@code bsd/sys/proc.h}). */
  static final int SZOMB = 5;

  /**
   * Decodes what proc_pidinfo wrote; null unless it reported the whole structure ({@code bytes}
   * is its return value: the bytes written, 0 or less on failure).
   */
  static MacShortInfo decode(ByteBuffer buffer, int bytes) {
    if (bytes != SIZE || buffer.capacity() < SIZE) {
      return null;
    }
    ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
    return new MacShortInfo(
        Integer.toUnsignedLong(b.getInt(PID_OFFSET)),
        Integer.toUnsignedLong(b.getInt(PGID_OFFSET)),
        b.getInt(STATUS_OFFSET));
  }

  /** Running code: not a zombie. */
  boolean live() {
    return status != SZOMB;
  }

  /** A live member of group {@code pgid}. */
  boolean liveMemberOf(long group) {
    return live() && pgid == group;
  }
}
