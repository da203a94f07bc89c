#!/usr/bin/env python3
"""Hostile clients of the SentinelZero socket, for bench/client-limits.sh (issue 12).

  sz_flood.py SOCK idle N
      Opens N connections and holds them, sending nothing, until killed (SIGTERM).
      Prints "held N" once all are open.
  sz_flood.py SOCK big N
      Opens N connections, sends one frame of 1 MiB (a ping with a 1 MiB argument) on each,
      reads one answer from each, and holds them all open until killed. Prints the answers'
      outcomes as JSON once all are in: {"ok": .., "invalid_argument": .., "unavailable": ..}.

Standard library only; loopback Unix socket only.
"""

import json
import signal
import socket
import sys
import threading


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_line(s):
    buf = bytearray()
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if b"\n" in chunk:
            return bytes(buf[: buf.index(b"\n")])


def main():
    sock, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    held = []
    if mode == "idle":
        for _ in range(n):
            held.append(connect(sock))
        print("held", len(held), flush=True)
    elif mode == "big":
        frame = (
            '{"v":1,"id":"big","cmd":"ping","args":{"pad":"' + "x" * ((1 << 20) - 100) + '"}}\n'
        ).encode()
        outcomes = {}
        lock = threading.Lock()

        def one():
            s = connect(sock)
            with lock:
                held.append(s)
            s.sendall(frame)
            line = read_line(s)
            try:
                msg = json.loads(line)
                code = "ok" if msg.get("ok") else msg["error"]["code"]
            except Exception:
                code = "no answer"
            with lock:
                outcomes[code] = outcomes.get(code, 0) + 1

        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        print(json.dumps(outcomes), flush=True)
    else:
        sys.exit("unknown mode " + mode)
    signal.sigwait({signal.SIGTERM, signal.SIGINT})


if __name__ == "__main__":
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    main()
