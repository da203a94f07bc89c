#!/usr/bin/env bash
# bench/client-limits.sh: the daemon under hostile clients (issue 12, docs/performance.md 8).
#  1. `sentinel status` while IDLE (256) connections are held open and idle: exit code and wall
#     time of RUNS runs.
#  2. Heap and RSS of the daemon with BIG (200) connections each sending one 1 MiB frame and
#     then held open: before the flood, with the connections held, and after they close.
#     Heap: used after a full GC (`jcmd GC.run`, then `GC.heap_info`), and the heap's peak
#     committed size as the JVM reports it; RSS: VmRSS.
# BUILD=<dir> measures the bin/sentinel and jars of another checkout (e.g. main, for "before");
# default: this one. Env: IDLE (256), BIG (200), RUNS (10).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
IDLE=${IDLE:-256}
BIG=${BIG:-200}
RUNS=${RUNS:-10}
bench_init
if [ -n "${BUILD:-}" ]; then
  SZ_ROOT=$BUILD
  SENTINEL=$BUILD/bin/sentinel
  SZ_BUILD="$BUILD ($(git -C "$BUILD" rev-parse --short HEAD 2>/dev/null || echo archive))"
fi
command -v jcmd >/dev/null || { echo "bench: jcmd (from the JDK) is required" >&2; exit 2; }
machine_info

FLOOD=
stop_flood() { [ -z "$FLOOD" ] || { kill "$FLOOD" 2>/dev/null || true; wait "$FLOOD" 2>/dev/null || true; FLOOD=; }; }
trap 'stop_flood; bench_cleanup' EXIT

heap_mib() { # used after a full GC, MiB
  jcmd "$1" GC.run >/dev/null
  jcmd "$1" GC.heap_info | awk '/generation +total/ {for (i = 1; i <= NF; i++) if ($i == "used") u += $(i + 1) + 0} END {printf "%.1f", u / 1024}'
}

sz_new_home
home=$SZ_HOME
pid=$(sz_start_daemon "$home")
sock=$(sz_socket "$home")
log "daemon $pid on $sock ($SZ_BUILD)"

status_runs() {
  local i t0 t1 err rc
  for i in $(seq 1 "$RUNS"); do
    t0=$(date +%s%N)
    set +e
    err=$(SENTINEL_HOME=$home timeout 60 "$SENTINEL" status 2>&1 >/dev/null)
    rc=$?
    set -e
    t1=$(date +%s%N)
    echo "| $1 | $i | $rc | $(( (t1 - t0) / 1000000 )) | ${err:0:100} |"
  done
}
echo "## sentinel status: alone, then while $IDLE idle connections are held"
echo "| held | run | exit | ms | stderr |"
echo "|---|---|---|---|---|"
status_runs 0
"$PYTHON" "$BENCH_DIR/sz_flood.py" "$sock" idle "$IDLE" >"$BENCH_TMP/idle.out" &
FLOOD=$!
wait_for 30 grep -q held "$BENCH_TMP/idle.out"
status_runs "$IDLE"
stop_flood

echo
echo "## $BIG connections each sending a 1 MiB frame, then held open"
rss0=$(rss_mib "$pid"); heap0=$(heap_mib "$pid")
"$PYTHON" "$BENCH_DIR/sz_flood.py" "$sock" big "$BIG" >"$BENCH_TMP/big.out" &
FLOOD=$!
wait_for 300 grep -q '{' "$BENCH_TMP/big.out" || true
outcomes=$(cat "$BENCH_TMP/big.out")
alive "$pid" || { echo "the daemon died under the flood"; exit 1; }
rss1=$(rss_mib "$pid"); heap1=$(heap_mib "$pid")
set +e
ping=$(SENTINEL_HOME=$home timeout 60 "$SENTINEL" status 2>&1 >/dev/null; echo "exit $?")
set -e
stop_flood
rss2=$(rss_mib "$pid"); heap2=$(heap_mib "$pid")
oom=$(grep -c OutOfMemoryError "$home/logs/daemon.log" || true)
echo "| | RSS MiB | heap used after GC MiB |"
echo "|---|---|---|"
echo "| before | $rss0 | $heap0 |"
echo "| $BIG connections held after their 1 MiB frame | $rss1 | $heap1 |"
echo "| after they closed | $rss2 | $heap2 |"
echo
echo "answers to the $BIG frames: $outcomes; \`sentinel status\` meanwhile: ${ping//$'\n'/ }; OutOfMemoryError in daemon.log: $oom"
