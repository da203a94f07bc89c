#!/usr/bin/env python3
"""A small client of the SentinelZero socket protocol (docs/protocol.md), for the benchmarks.

  sz_client.py SOCK start-many N [--prefix p] [--cwd DIR] [--path PATH] [--confirm status|list]
                                 [-- ARGV...]
      One connection; N `start` requests (p0..p<N-1>, argv default `sleep 100000`) written by a
      writer thread while the main thread reads the replies (so neither side can block the
      other on a full socket buffer); then one `status` (or `list`, which samples no CPU or
      memory) on the same connection. Prints JSON:
      ms from the first write to the last reply, failures, and how many status shows running.
  sz_client.py SOCK call CMD [ARGS-JSON]
      One request; prints the reply's JSON line; exit 1 unless ok.
  sz_client.py SOCK repeat K CMD [ARGS-JSON]
      One connection, K requests one after another (each sent after the previous answer); prints
      JSON with the median and p99 (nearest rank) round trip in ms: the daemon's own time.
  sz_client.py SOCK wait-running N [TIMEOUT-S]
      Polls `list` until N processes are running (exit 1 on timeout).

Standard library only.
"""

import json
import os
import socket
import sys
import threading
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


class Lines:
    def __init__(self, sock):
        self.f = sock.makefile("rb", buffering=1 << 16)

    def next(self):
        line = self.f.readline()
        if not line:
            raise EOFError("daemon closed the connection")
        return json.loads(line)


def frame(req_id, cmd, args=None):
    req = {"v": 1, "id": req_id, "cmd": cmd}
    if args is not None:
        req["args"] = args
    return (json.dumps(req, separators=(",", ":")) + "\n").encode()


def call(path, cmd, args=None, timeout=None):
    with connect(path) as s:
        if timeout:
            s.settimeout(timeout)
        s.sendall(frame("1", cmd, args))
        return Lines(s).next()


def start_many(path, n, prefix, cwd, env_path, argv, confirm="status"):
    frames = [
        frame(
            str(i),
            "start",
            {"name": f"{prefix}{i}", "argv": argv, "cwd": cwd, "path": env_path},
        )
        for i in range(n)
    ]
    s = connect(path)
    lines = Lines(s)
    t = {}

    def writer():
        t["first_write"] = time.perf_counter()
        for f in frames:
            s.sendall(f)
        t["last_write"] = time.perf_counter()

    w = threading.Thread(target=writer)
    w.start()
    failures = []
    states = {}
    for _ in range(n):
        reply = lines.next()
        if reply.get("ok"):
            p = reply["result"]["process"]
            states[p["state"]] = states.get(p["state"], 0) + 1
        else:
            failures.append(reply)
    t_last = time.perf_counter()
    w.join()
    s.sendall(frame(confirm, confirm, {}))
    status = lines.next()
    t_status = time.perf_counter()
    s.close()
    procs = status["result"]["processes"] if status.get("ok") else []
    running = sum(
        1 for p in procs if p["state"] == "running" and p["name"].startswith(prefix)
    )
    return {
        "n": n,
        "ms_to_last_reply": round((t_last - t["first_write"]) * 1000, 2),
        "confirmed_with": confirm,
        "ms_to_status": round((t_status - t["first_write"]) * 1000, 2),
        "ms_writing": round((t["last_write"] - t["first_write"]) * 1000, 2),
        "reply_states": states,
        "failures": len(failures),
        "first_failure": failures[0] if failures else None,
        "running_in_status": running,
    }


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    path, cmd, rest = argv[1], argv[2], argv[3:]
    if cmd == "start-many":
        n = int(rest[0])
        rest = rest[1:]
        prefix, cwd, env_path = "p", os.getcwd(), os.environ.get("PATH", "/usr/bin:/bin")
        prog = ["sleep", "100000"]
        confirm = "status"
        while rest:
            a = rest.pop(0)
            if a == "--prefix":
                prefix = rest.pop(0)
            elif a == "--cwd":
                cwd = rest.pop(0)
            elif a == "--confirm":
                confirm = rest.pop(0)
            elif a == "--path":
                env_path = rest.pop(0)
            elif a == "--":
                prog = rest
                rest = []
            else:
                print(f"unknown option {a}", file=sys.stderr)
                return 2
        out = start_many(path, n, prefix, cwd, env_path, prog, confirm)
        print(json.dumps(out))
        return 0 if out["failures"] == 0 and out["running_in_status"] == n else 1
    if cmd == "call":
        args = json.loads(rest[1]) if len(rest) > 1 else None
        reply = call(path, rest[0], args)
        print(json.dumps(reply))
        return 0 if reply.get("ok") else 1
    if cmd == "repeat":
        k, what = int(rest[0]), rest[1]
        args = json.loads(rest[2]) if len(rest) > 2 else None
        times = []
        with connect(path) as s:
            lines = Lines(s)
            for i in range(k):
                t0 = time.perf_counter()
                s.sendall(frame(str(i), what, args))
                reply = lines.next()
                times.append((time.perf_counter() - t0) * 1000)
                if not reply.get("ok"):
                    print(json.dumps(reply))
                    return 1
        times.sort()
        med = times[k // 2] if k % 2 else (times[k // 2 - 1] + times[k // 2]) / 2
        p99 = times[max(0, -(-99 * k // 100) - 1)]
        print(json.dumps({"n": k, "median_ms": round(med, 2), "p99_ms": round(p99, 2)}))
        return 0
    if cmd == "wait-running":
        n = int(rest[0])
        timeout = float(rest[1]) if len(rest) > 1 else 60
        deadline = time.monotonic() + timeout
        while True:
            reply = call(path, "list", {})
            procs = reply.get("result", {}).get("processes", [])
            if sum(1 for p in procs if p["state"] == "running") >= n:
                return 0
            if time.monotonic() > deadline:
                return 1
            time.sleep(0.05)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
