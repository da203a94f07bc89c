#!/usr/bin/env python3
"""Times how long a stopped process tree takes to be completely gone (standard library only).

  treewatch.py LEADER-PID [--expect-sleeps 3] [--grace 2] [--timeout 20] [--kill-leftovers]
               -- STOP-COMMAND...
  treewatch.py LEADER-PID ... --sz-stop SOCK NAME

1. Waits until the tree is formed: the leader (a shell) plus EXPECT-SLEEPS `sleep` processes in the
   leader's process group (every tool here runs each program in its own group), and nothing else
   (the subshell that double-forks the grandchild has exited). Records each pid with its start
   time (so a reused pid is never mistaken for a survivor).
2. Runs the stop command (or, with --sz-stop, sends a SentinelZero `stop` request over the socket
   from a thread of this process: no client start-up in the figure), and polls /proc every 1 ms.
   A process counts as gone when /proc/PID is gone, its start time differs, or it is a zombie
   (dead; re-parented zombies are pid 1's to reap).
3. Stops when every recorded process is gone and the command has returned, or GRACE seconds after
   the command returned (what is left then is a leftover), or after TIMEOUT seconds.

Prints JSON: ms until the command returned, until the leader was gone, until all were gone (null
if something was left), until the last of those that did go was gone, and the leftovers (pid,
ppid, command). --kill-leftovers then SIGKILLs them.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time


def stat(pid):
    """(state, ppid, pgid, starttime, comm) or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    lp, rp = data.index("("), data.rindex(")")
    comm = data[lp + 1 : rp]
    fields = data[rp + 2 :].split()
    # fields[0] is field 3 (state); field N is fields[N - 3]
    return fields[0], int(fields[1]), int(fields[2]), int(fields[19]), comm


def group_members(pgid):
    out = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = stat(int(name))
        if st and st[2] == pgid and st[0] not in ("Z", "X"):
            out[int(name)] = st
    return out


def alive(pid, starttime):
    st = stat(pid)
    return st is not None and st[3] == starttime and st[0] not in ("Z", "X")


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def sz_stop(sock_path, name, done):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sock_path)
    s.sendall(
        (json.dumps({"v": 1, "id": "1", "cmd": "stop", "args": {"name": name}}) + "\n").encode()
    )
    reply = s.makefile("rb").readline()
    done["reply"] = json.loads(reply) if reply else None
    done["t"] = time.perf_counter()
    s.close()


def main(argv):
    leader = int(argv[1])
    expect, grace, timeout, kill_left = 3, 2.0, 20.0, False
    cmd, sz = None, None
    rest = argv[2:]
    while rest:
        a = rest.pop(0)
        if a == "--expect-sleeps":
            expect = int(rest.pop(0))
        elif a == "--grace":
            grace = float(rest.pop(0))
        elif a == "--timeout":
            timeout = float(rest.pop(0))
        elif a == "--kill-leftovers":
            kill_left = True
        elif a == "--sz-stop":
            sz = (rest.pop(0), rest.pop(0))
        elif a == "--":
            cmd = rest
            rest = []
        else:
            print(f"unknown option {a}", file=sys.stderr)
            return 2
    if not cmd and not sz:
        print(__doc__, file=sys.stderr)
        return 2

    # 1. the tree
    deadline = time.monotonic() + 10
    while True:
        members = group_members(leader)
        sleeps = [p for p, st in members.items() if st[4] == "sleep"]
        others = [p for p in members if p != leader and p not in sleeps]
        if leader in members and len(sleeps) == expect and not others:
            break
        if time.monotonic() > deadline:
            print(
                json.dumps({"error": "tree not formed", "members": {p: members[p][4] for p in members}}),
            )
            return 1
        time.sleep(0.005)
    tree = {p: st[3] for p, st in members.items()}
    info = {p: {"ppid": members[p][1], "cmd": cmdline(p)} for p in tree}

    # 2. stop and poll
    done = {}
    t0 = time.perf_counter()
    if sz:
        th = threading.Thread(target=sz_stop, args=(sz[0], sz[1], done), daemon=True)
        th.start()
    else:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    t_ret = t_leader = t_all = None
    died = {}  # pid -> when it was first seen gone
    stop_rc = None
    while True:
        now = time.perf_counter()
        if t_ret is None:
            if sz and "t" in done:
                t_ret = done["t"]
                stop_rc = 0 if (done["reply"] or {}).get("ok") else 1
            elif not sz and proc.poll() is not None:
                t_ret = now
                stop_rc = proc.returncode
        live = [p for p, start in tree.items() if alive(p, start)]
        for p in tree:
            if p not in live and p not in died:
                died[p] = now
        if t_leader is None and leader not in live:
            t_leader = now
        if not live and t_all is None:
            t_all = now
        if t_all is not None and t_ret is not None:
            break
        if t_ret is not None and now - t_ret > grace:
            break
        if now - t0 > timeout:
            break
        time.sleep(0.001)
    if not sz and t_ret is None:
        proc.kill()
    left = [p for p, start in tree.items() if alive(p, start)]
    leftovers = []
    for p in left:
        st = stat(p)
        leftovers.append({"pid": p, "ppid": st[1] if st else None, "cmd": cmdline(p),
                          "was_child_of": info[p]["ppid"]})

    def ms(t):
        return None if t is None else round((t - t0) * 1000, 1)

    out = {
        "ms_stop_returned": ms(t_ret),
        "stop_rc": stop_rc,
        "ms_leader_gone": ms(t_leader),
        "ms_all_gone": ms(t_all) if not left else None,
        "ms_last_death": ms(max(died.values())) if died else None,
        "tree": len(tree),
        "leftovers": leftovers,
    }
    if kill_left:
        for p in left:
            if alive(p, tree[p]):
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
