/**
 * The daemon's boundary with the operating system's process calls: spawning, noticing exits,
 * signalling and tearing down process groups, reaping, and sampling resource use. The rest of the
 * daemon sees only {@link dev.sentinelzero.daemon.process.ProcessControl} (made by {@link
 * dev.sentinelzero.daemon.process.ProcessControls#create()}) and the value types beside it.
 *
 * <h2>Why posix_spawn, through JNA</h2>
 *
 * <p>A supervisor must be able to stop everything a service started, including grandchildren that
 * double-forked away from their parent. The only handle the kernel offers for that is the process
 * group: each child is made the leader of a new group (pgid == pid) and stopped with {@code
 * kill(-pgid)}. {@link java.lang.ProcessBuilder} cannot do this (the child has exec'd before the
 * parent could call {@code setpgid}, which then fails), it gets slower with every open descriptor
 * (it closes them one by one), and its exit notification carries no exit code. {@code posix_spawn}
 * with {@code POSIX_SPAWN_SETPGROUP} creates the group atomically, resets the signal mask and every
 * signal disposition, opens stdin on /dev/null and stdout/stderr in append mode on the log files,
 * changes directory, and closes every other descriptor, all before exec, and it reports exec
 * failures (missing program, missing directory, script without #!) synchronously, so they can be
 * told apart from a program that ran and failed. Nothing is copied through pipes: the child writes
 * straight into its files, so a child costs the daemon no thread and no buffer.
 *
 * <h2>Why pidfd and kqueue, and one thread</h2>
 *
 * <p>SIGCHLD is unreliable in a JVM (it is not delivered to Java code) and {@code waitpid(-1)}
 * would steal the exits of processes the JDK itself started. Polling every pid costs time in
 * proportion to the number of children. Instead one thread, {@code sentinel-exit-watcher}, sleeps
 * in the kernel until a watched process ends: on Linux each child gets a pidfd ({@code pidfd_open},
 * which names that very process, never a later one with the same pid, and is readable at once if
 * the child is already a zombie) registered in one epoll set; on macOS each child gets an
 * EVFILT_PROC/NOTE_EXIT knote in one kqueue. Either way there is no interval to tune and no thread
 * per child; 300 children add no thread at all.
 *
 * <h2>Why WNOWAIT first, and reaping only after the group is gone</h2>
 *
 * <p>When the leader exits, its status is read with {@code waitid(P_PID, pid, WEXITED | WNOHANG |
 * WNOWAIT)}, which leaves it a zombie. That is deliberate: while the leader's zombie exists its
 * pid, and so the group id, cannot be given to a new process, so the {@code kill(-pgid, ...)} that
 * clears stragglers from the group can never reach a stranger's group. {@link
 * dev.sentinelzero.daemon.process.ProcessControl#terminateGroup} therefore signals the group,
 * watches its live members disappear (scanning the process table only while a termination is
 * pending, on one thread, {@code sentinel-group-reaper}), sends SIGKILL at the deadline, and reaps
 * the leader last. Members that are themselves zombies do not count: their parent, not us, reaps
 * them.
 *
 * <h2>What leaves the group: the run's marker</h2>
 *
 * <p>A process can leave its group ({@code setsid}, {@code setpgid}) and then no {@code
 * kill(-pgid)} reaches it. It cannot leave its environment behind, though: every spawn adds {@code
 * SENTINEL_RUN_ID} (unique across daemons) to the child's environment, beside the home and name
 * markers the supervisor puts there, and everything the run starts inherits it. A termination
 * therefore also searches the process table for live processes with the run's marker that are
 * outside its group (only those started since the leader, whose environments are read; only on
 * the passes that need it), signals them with the group, and waits for them ({@link
 * dev.sentinelzero.daemon.process.RunMark}, {@code GroupReaper}). A process that also scrubs its
 * environment is out of reach.
 *
 * <h2>Linux and macOS</h2>
 *
 * <p>What the two share lives in {@code PosixOs}; {@code LinuxOs} and {@code MacOs}, with their JNA
 * interfaces and exit pollers, hold everything that differs:
 *
 * <ul>
 *   <li>Constants: O_CREAT/O_APPEND, WNOWAIT, the siginfo_t layout, EAGAIN and most signal numbers
 *       differ (USR1 is 10 on Linux, 30 on macOS), so signals are only ever looked up by name.
 *   <li>Inherited descriptors: glibc 2.34+ closes them with {@code
 *       posix_spawn_file_actions_addclosefrom_np}; macOS with the {@code
 *       POSIX_SPAWN_CLOEXEC_DEFAULT} attribute flag.
 *   <li>Structures: glibc's {@code posix_spawnattr_t} and file actions are inline structures,
 *       macOS's are pointers to objects its {@code *_init} allocates; both are given generous
 *       zeroed blocks and always destroyed. Signal sets are written as bit masks: 64 bits on Linux
 *       (so that glibc's internal signals 32 and 33 are reset too, which sigfillset would skip), 32
 *       on macOS.
 *   <li>Exits: pidfd + epoll on Linux; kqueue on macOS, where NOTE_EXIT is posted before the
 *       process becomes a zombie, so the status is taken from the event (NOTE_EXITSTATUS) rather
 *       than from waitid, with a short retry when neither has it yet.
 *   <li>Group members: one pass over {@code /proc/[0-9]*}/stat (state and pgrp, parsed after the
 *       last ')') on Linux; {@code proc_listpids(PROC_PGRP_ONLY)} per group plus {@code
 *       proc_pidinfo(PROC_PIDT_SHORTBSDINFO)} (which answers for other users' processes too) to
 *       drop zombies on macOS.
 *   <li>Marked processes: {@code /proc/<pid>/environ} on Linux; {@code sysctl KERN_PROCARGS2} on
 *       macOS.
 *   <li>A socket client's pid (for the transaction log): {@code getsockopt(SO_PEERCRED)} on Linux
 *       (the process that connected), {@code getsockopt(LOCAL_PEERPID)} on macOS (the last process
 *       to use the client's socket), on the descriptor {@code ChannelFds} finds behind the JDK's
 *       channel.
 * </ul>
 *
 * <p>The Linux side is tested with real processes. The macOS side (macOS 11 and later: {@code
 * MacRelease}) is written from Apple's headers and the xnu sources, citing the file each decision
 * relies on, and has not yet run on a Mac; its decoding and decisions are tested on Linux.
 *
 * <h2>Threads</h2>
 *
 * <p>Two daemon threads, both owned by the control and stopped by its {@code close()}: the exit
 * watcher (calls every exit listener, once per child) and the group reaper (runs terminations and
 * completes their futures). Spawning, signalling and sampling run on the caller's thread. Time for
 * deadlines and CPU percentages comes from an injected ticker, never from sleeping.
 */
package dev.sentinelzero.daemon.process;
