#!/usr/bin/env bash
# Daemon CPU while it samples idle processes that have resource limits (so every one of them is
# sampled every interval: process table pass + OSHI per member), at 0, 100 and 1,000 processes.
# CPU is the daemon's utime+stime from /proc over a fixed window, in percent of one core.
#
#   bench/sampling-cpu.sh [WINDOW_S] [INTERVAL_MS]     (defaults 20 s, 2000 ms: the daemon default)
set -euo pipefail
ROOT=$(cd -P -- "$(dirname -- "$0")/.." && pwd)
WINDOW=${1:-20}
INTERVAL=${2:-2000}
TMP=$(mktemp -d /tmp/szc.XXXX)
export SENTINEL_NO_AUTOSTART=1 SENTINEL_HOME=$TMP/s SENTINEL_SAMPLE_INTERVAL_MS=$INTERVAL
cleanup() { "$ROOT/bin/sentinel" daemon stop >/dev/null 2>&1 || true; rm -rf "$TMP"; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

"$ROOT/bin/sentinel" daemon start >/dev/null
pid=$("$ROOT/bin/sentinel" daemon status --json | jq .pid)
sock=$("$ROOT/bin/sentinel" daemon status --json | jq -r .socket)
echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1); window ${WINDOW}s, interval ${INTERVAL}ms" >&2
echo "| processes with limits | daemon CPU (% of one core) | per sample (ms, approx.) |"
echo "|---|---|---|"
have=0
for n in 0 100 1000; do
  python3 - "$sock" "$have" "$n" <<'PY'
import json, socket, sys, threading
sock, have, want = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX); s.connect(sock)
f = s.makefile("rb")
def writer():
    for i in range(have, want):
        req = {"v": 1, "id": i, "cmd": "start", "args": {"name": f"idle{i}", "argv": ["sleep", "100000"],
               "cwd": "/tmp", "path": "/usr/bin:/bin", "limits": {"max_memory_bytes": 1 << 30}}}
        s.sendall((json.dumps(req) + "\n").encode())
t = threading.Thread(target=writer); t.start()
for i in range(have, want):
    r = json.loads(f.readline())
    assert r.get("ok"), r
t.join()
PY
  have=$n
  sleep 5 # let start-up work settle before the window
  a=$(ticks "$pid"); sleep "$WINDOW"; b=$(ticks "$pid")
  cpu=$(awk -v d=$((b - a)) -v hz="$hz" -v w="$WINDOW" 'BEGIN {printf "%.1f", 100 * d / hz / w}')
  per=$(awk -v d=$((b - a)) -v hz="$hz" -v w="$WINDOW" -v i="$INTERVAL" 'BEGIN {printf "%.1f", 1000 * d / hz / (w * 1000 / i)}')
  echo "| $n | $cpu | $per |"
done
