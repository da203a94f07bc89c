#!/usr/bin/env python3
"""supervisord XML-RPC over its private Unix socket, for the benchmarks (standard library only).

It asks exactly what `supervisorctl status` asks (supervisor.getAllProcessInfo), without paying a
supervisorctl start-up (~150-300 ms) per poll, so "all RUNNING" is seen within ~10 ms.

  sv_client.py launch-wait CONF SOCK N [TIMEOUT-S]
      Runs `supervisord -c CONF` (it daemonizes) and polls every 10 ms until N processes are
      RUNNING. Prints JSON: ms until supervisord returned, until its socket answered, until all N
      were RUNNING (all from just before launching it).
  sv_client.py wait-running SOCK N [TIMEOUT-S]
      Polls until N processes are RUNNING; exit 1 on timeout.
  sv_client.py count SOCK
      Prints the number of RUNNING processes.
"""

import http.client
import json
import socket
import subprocess
import sys
import time
import xmlrpc.client


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        return UnixHTTPConnection(self.path)


def proxy(sock_path):
    return xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(sock_path))


def running(sock_path):
    """Number of RUNNING processes, or None while the socket does not answer."""
    try:
        infos = proxy(sock_path).supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Fault, http.client.HTTPException):
        return None
    return sum(1 for i in infos if i["statename"] == "RUNNING")


def wait_running(sock_path, n, timeout, t0):
    t_up = None
    deadline = time.perf_counter() + timeout
    while True:
        r = running(sock_path)
        now = time.perf_counter()
        if r is not None and t_up is None:
            t_up = now
        if r is not None and r >= n:
            return t_up, now
        if now > deadline:
            return t_up, None
        time.sleep(0.01)


def ms(t, t0):
    return None if t is None else round((t - t0) * 1000, 1)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cmd = argv[1]
    if cmd == "launch-wait":
        conf, sock_path, n = argv[2], argv[3], int(argv[4])
        timeout = float(argv[5]) if len(argv) > 5 else 120
        t0 = time.perf_counter()
        subprocess.run(["supervisord", "-c", conf], check=True)
        t_ret = time.perf_counter()
        t_up, t_all = wait_running(sock_path, n, timeout, t0)
        print(
            json.dumps(
                {
                    "n": n,
                    "ms_supervisord_returned": ms(t_ret, t0),
                    "ms_socket_up": ms(t_up, t0),
                    "ms_all_running": ms(t_all, t0),
                }
            )
        )
        return 0 if t_all is not None else 1
    if cmd == "wait-running":
        sock_path, n = argv[2], int(argv[3])
        timeout = float(argv[4]) if len(argv) > 4 else 120
        t0 = time.perf_counter()
        return 0 if wait_running(sock_path, n, timeout, t0)[1] is not None else 1
    if cmd == "count":
        print(running(argv[2]) or 0)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
