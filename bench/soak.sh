#!/usr/bin/env bash
# bench/soak.sh: a daemon under a mixed load for a long while, measured at the start and the end
# (issue 12's soak test; not part of `./mvnw verify`). 1,000 processes:
#   - 950 `sleep`s;
#   - 20 that crash every 2 s (`sleep 2; exit 1`, restarted always, retries unlimited);
#   - 10 jobs every second (`/bin/true`) and 5 every 10 s;
#   - 5 log floods (about 40 KB/s each: numbered lines, in bursts);
#   - 10 `sleep`s that the clients restart;
# and clients: `status` of everything (one request a second), `events` and `history` (one a
# second), `logs` of a flood (one every 2 s), `restart` of one of the 10 (one a second).
# At the start (everything defined, a minute of load) and at the end: the daemon's open file
# descriptors, threads, RSS, heap in use after a full GC (jcmd GC.run, then GC.heap_info), and the
# database's size (sentinel.db + WAL). Prints a markdown table.
#
#   bench/soak.sh [DURATION_S]     (default 600)
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
DURATION=${1:-600}
bench_init

machine_info
echo
sz_new_home
home=$SZ_HOME
pid=$(sz_start_daemon "$home")
sock=$(sz_socket "$home")
db=$home/sentinel.db
cl() { "$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" "$@"; }

log "defining 1000 processes"
cl start-many 950 --prefix sleep- --cwd "$BENCH_TMP" >/dev/null
cl start-many 10 --prefix bounce- --cwd "$BENCH_TMP" >/dev/null
for i in $(seq 0 19); do
  cl call start "$(jq -cn --arg cwd "$BENCH_TMP" --arg n "crash-$i" '{name:$n, argv:["sh","-c","sleep 2; exit 1"], cwd:$cwd,
    restart:{mode:"always", retries:-1, delay_ms:0, backoff:"fixed", min_uptime_ms:0, jitter:0}}')" >/dev/null
done
for i in $(seq 0 9); do
  cl call schedule "$(jq -cn --arg cwd "$BENCH_TMP" --arg n "tick-$i" '{name:$n, argv:["/bin/true"], cwd:$cwd, schedule:{cron:"* * * * * *"}}')" >/dev/null
done
for i in $(seq 0 4); do
  cl call schedule "$(jq -cn --arg cwd "$BENCH_TMP" --arg n "every10-$i" '{name:$n, argv:["/bin/true"], cwd:$cwd, schedule:{every_ms:10000}}')" >/dev/null
  cl call start "$(jq -cn --arg cwd "$BENCH_TMP" --arg n "flood-$i" '{name:$n, argv:["sh","-c","i=0; while :; do seq $i $((i+2000)); i=$((i+2001)); sleep 0.25; done"], cwd:$cwd}')" >/dev/null
done

CLIENTS=()
client_loop() { # what one client does, every $1 seconds: cmd args
  local every=$1
  shift
  while :; do
    cl call "$@" >/dev/null 2>&1 || true
    sleep "$every"
  done
}
restart_loop() {
  local i=0
  while :; do
    cl call restart "{\"name\":\"bounce-$((i % 10))\"}" >/dev/null 2>&1 || true
    i=$((i + 1))
    sleep 1
  done
}
client_loop 1 status '{}' & CLIENTS+=($!)
client_loop 1 events '{"limit":200}' & CLIENTS+=($!)
client_loop 1 history '{"name":"tick-0","limit":100}' & CLIENTS+=($!)
client_loop 2 logs '{"name":"flood-0","tail":100}' & CLIENTS+=($!)
restart_loop & CLIENTS+=($!)
stop_clients() { local c; for c in "${CLIENTS[@]}"; do kill "$c" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap 'stop_clients; bench_cleanup' EXIT

measure() { # label -> one table row
  local fds threads rss heap dbsize
  fds=$(ls "/proc/$pid/fd" | wc -l)
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  jcmd "$pid" GC.run >/dev/null
  heap=$(jcmd "$pid" GC.heap_info | awk '/used/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?$/, "", v); print v; exit}}')
  rss=$(rss_mib "$pid")
  dbsize=0
  for f in "$db" "$db-wal"; do [ -f "$f" ] && dbsize=$((dbsize + $(stat -c %s "$f"))); done
  printf '| %s | %s | %s | %s MiB | %.1f MiB | %s KiB | %s |\n' "$1" "$fds" "$threads" "$rss" \
    "$(awk -v k="$heap" 'BEGIN {print k / 1024}')" "$((dbsize / 1024))" "$(cut -d' ' -f1 /proc/loadavg)"
}

log "a minute of load before the first measurement"
sleep 60
running=$(cl call list '{}' | jq '[.result.processes[] | select(.state=="running")] | length')
echo "processes defined: $(cl call list '{}' | jq '.result.processes | length'); running at the start: $running"
echo
echo "| when | open fds | threads | RSS | heap after GC | database + WAL | load (1 min) |"
echo "|---|---|---|---|---|---|---|"
measure "start (+1 min)"
log "soaking for ${DURATION}s"
sleep "$DURATION"
measure "end (+$((DURATION / 60 + 1)) min)"
echo
crashes=$(cl call list '{}' | jq '[.result.processes[] | select(.name | startswith("crash-")) | .restarts] | add')
runs=$(cl call history '{"name":"tick-0","limit":10000}' | jq '.result.runs | length')
echo "restarts of the 20 crashing processes: $crashes; runs of tick-0 in its history: $runs"
echo "daemon CPU time: $(awk -v k="$(getconf CLK_TCK)" '{printf "%.0f s", ($14 + $15) / k}' "/proc/$pid/stat")"
stop_clients
