#!/usr/bin/env bash
# bench/crash-loop.sh: the cost of a zero-delay crash loop (`/bin/false` under `--restart always
# --retries unlimited --delay 0 --min-uptime 0 --jitter 0`), sampled every minute: restarts so
# far, the database's size (sentinel.db + its WAL), the loop's rows in `history` and `events`, all
# events, daemon.log's size, and the daemon's CPU time (user + system, from /proc).
#
#   bench/crash-loop.sh [DURATION_S]       (default 600: the figure in docs/performance.md)
#
# Env: SAMPLE_S (60).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
DURATION=${1:-600}
SAMPLE=${SAMPLE_S:-60}
bench_init
TICK=$(getconf CLK_TCK)

sql() { # db query
  "$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}
size() { local t=0 f; for f in "$@"; do [ -f "$f" ] && t=$((t + $(stat -c %s "$f"))); done; echo "$t"; }

machine_info
echo
sz_new_home
home=$SZ_HOME
pid=$(sz_start_daemon "$home")
sock=$(sz_socket "$home")
db=$home/sentinel.db
args=$(jq -cn --arg cwd "$BENCH_TMP" '{name:"loop", argv:["/bin/false"], cwd:$cwd,
  restart:{mode:"always", retries:-1, delay_ms:0, backoff:"fixed", min_uptime_ms:0, jitter:0}}')
"$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call start "$args" >/dev/null
cpu0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
start=$SECONDS

echo "zero-delay crash loop of /bin/false for ${DURATION}s, sampled every ${SAMPLE}s"
echo
echo "| after | restarts | database + WAL | history rows (loop) | events rows (loop / all) | daemon.log | daemon CPU (s, share of one core) |"
echo "|---|---|---|---|---|---|---|"
while ((SECONDS - start < DURATION)); do
  sleep "$SAMPLE"
  t=$((SECONDS - start))
  restarts=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call list '{}' | jq '.result.processes[] | select(.name=="loop") | .restarts')
  cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  cpus=$(awk -v a="$cpu" -v b="$cpu0" -v k="$TICK" 'BEGIN {printf "%.1f", (a - b) / k}')
  share=$(awk -v s="$cpus" -v t="$t" 'BEGIN {printf "%.0f%%", 100 * s / t}')
  printf '| %ds | %s | %s KiB | %s | %s / %s | %s KiB | %s (%s) |\n' "$t" "$restarts" \
    "$(($(size "$db" "$db-wal") / 1024))" "$(sql "$db" "SELECT count(*) FROM history WHERE name='loop'")" \
    "$(sql "$db" "SELECT count(*) FROM events WHERE name='loop'")" "$(sql "$db" "SELECT count(*) FROM events")" \
    "$(($(size "$home/logs/daemon.log") / 1024))" "$cpus" "$share"
done
echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
sz_stop_daemon "$home"
