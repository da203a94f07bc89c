#!/usr/bin/env bash
# bench/status-latency.sh: wall time of one status query from the command line, with 10 `sleep`
# processes supervised, side by side in one hyperfine run:
#   sentinel status --json   |   supervisorctl -c <conf> status   |   pm2 jlist
# JVM (or Python, or node) start-up is included: that is what a person or a script pays.
# Three reference rows show where SentinelZero's time goes: a bare JVM with the CLI's flags and
# archive (the floor of any JVM CLI), the same status request over the socket from a python3
# process, and the daemon's own time (status round trips on an already open connection).
# Target (issue): sentinel status --json <= 250 ms (median).
#
# Env: RUNS (50), WARMUP (5), N (10).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
RUNS=${RUNS:-50}
WARMUP=${WARMUP:-5}
N=${N:-10}
command -v hyperfine >/dev/null || { echo "bench: hyperfine is required" >&2; exit 2; }
bench_init

log "SentinelZero: daemon and $N sleeps"
sz_new_home
szh=$SZ_HOME
sz_start_daemon "$szh" >/dev/null
sock=$(sz_socket "$szh")
"$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" start-many "$N" --cwd "$BENCH_TMP" >/dev/null
# The first CLI run records the AppCDS archive if it is missing or stale; do it outside hyperfine.
SENTINEL_HOME=$szh "$SENTINEL" status --json >/dev/null
got=$(SENTINEL_HOME=$szh "$SENTINEL" status --json | jq '[.processes[] | select(.state == "running")] | length')
[ "$got" = "$N" ] || { echo "sentinel: $got of $N running" >&2; exit 1; }

log "supervisord: $N programs"
sv_new_conf "$N" 0 'sleep 100000'
conf=$SV_CONF
"$PYTHON" "$BENCH_DIR/sv_client.py" launch-wait "$conf" "$(sv_dir "$conf")/supervisor.sock" "$N" >/dev/null
got=$(supervisorctl -c "$conf" status | grep -c ' RUNNING ' || true)
[ "$got" = "$N" ] || { echo "supervisord: $got of $N running" >&2; exit 1; }

log "PM2: $N apps"
pm2_new_home
pmh=$PM2H
pm2_ecosystem "$BENCH_TMP/ecosystem.config.js" "$N" sleep "['100000']"
PM2_HOME=$pmh pm2 start "$BENCH_TMP/ecosystem.config.js" >/dev/null
pm2_wait_online "$pmh" "$N" 30 || { echo "pm2: not all $N online" >&2; exit 1; }

JAVA=java
[ -n "${JAVA_HOME:-}" ] && JAVA=$JAVA_HOME/bin/java
JSA=$SZ_ROOT/sentinel-cli/target/sentinel-cli.jsa
out=$BENCH_TMP/status-latency.json
log "hyperfine: $WARMUP warm-up runs and $RUNS runs of each"
SENTINEL_HOME=$szh PM2_HOME=$pmh hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --style basic \
  --export-json "$out" \
  -n "sentinel status --json" "$SENTINEL status --json" \
  -n "supervisorctl status" "supervisorctl -c $conf status" \
  -n "pm2 jlist" "pm2 jlist" \
  -n "(ref) bare JVM, CLI flags + CDS, -version" \
  "$JAVA -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -XX:SharedArchiveFile=$JSA -Xlog:disable -version" \
  -n "(ref) status request over the socket, python3" \
  "$PYTHON $BENCH_DIR/sz_client.py $sock call status {}" >&2
if [ -n "${KEEP_JSON:-}" ]; then cp "$out" "$KEEP_JSON"; fi
log "daemon-side time: 200 status requests on one connection"
daemon_side=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" repeat 200 status '{}')

echo
echo "## status latency, $N processes supervised ($RUNS runs, $WARMUP warm-up, hyperfine -N)"
echo
echo "| command | median ms | p99 ms | min ms | mean ms ± sd | CPU user+sys, mean ms |"
echo "|---|---|---|---|---|---|"
jq -r '.results[] |
  (.times | sort) as $t | ($t | length) as $n |
  ((0.99 * $n) | ceil) as $r |
  "| `\(.command)` | \(.median * 1000 | . * 10 | round / 10) | \($t[$r - 1] * 1000 | . * 10 | round / 10) | \(.min * 1000 | . * 10 | round / 10) | \(.mean * 1000 | round) ± \(.stddev * 1000 | round) | \((.user + .system) * 1000 | round) |"' "$out"
echo "| (ref) daemon's own time: \`status\` round trip on an open connection (200 in a row) | $(echo "$daemon_side" | jq .median_ms) | $(echo "$daemon_side" | jq .p99_ms) | | | |"
echo
echo "p99 is the nearest-rank 99th percentile (with 50 runs: the slowest run). CPU is hyperfine's user+system time of the command and its children (less sensitive to other load than wall time). Target: sentinel <= 250 ms median."
machine_info
