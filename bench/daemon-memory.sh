#!/usr/bin/env bash
# bench/daemon-memory.sh: resident memory (VmRSS) of the supervising daemon with 0, 100 and 1,000
# supervised `sleep 100000` processes, for SentinelZero, supervisord and PM2 (its "God Daemon").
# Each tool and count gets a fresh daemon with private state; once all N are running we wait
# SETTLE seconds, then take the median of 5 VmRSS readings 1 s apart.
#
# SentinelZero is read three times: after the N starts (confirmed with `list`, which samples
# nothing), after one `status` (which loads OSHI and samples every group: the state of a daemon
# someone uses; this is the headline), and after `jcmd <pid> GC.run` (live heap vs JVM slack).
#
# What-if rows (not the product as shipped): the same SentinelZero daemon started directly with
# the JVM flags in WHATIF_FLAGS, to show how much of its RSS is JVM sizing rather than live data.
# The default is the JVM's own sizing (only -XX:+UseSerialGC), which is how the daemon ran before
# commit d9cb247 gave it -Xms8m -Xmx128m -XX:TieredStopAtLevel=1 -Xss512k
# -XX:ReservedCodeCacheSize=32m.
#
# Env: COUNTS ("0 100 1000"), TOOLS ("sentinel supervisord pm2 whatif"), SETTLE (10 s),
#      START_TIMEOUT (600 s: how long a peer may take to get N running before we give up),
#      WHATIF_FLAGS ("-XX:+UseSerialGC"; separate sets with '|'; "" for none).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
COUNTS=${COUNTS:-0 100 1000}
TOOLS=${TOOLS:-sentinel supervisord pm2 whatif}
WHATIF_FLAGS=${WHATIF_FLAGS--XX:+UseSerialGC}
SETTLE=${SETTLE:-10}
START_TIMEOUT=${START_TIMEOUT:-600}
bench_init
command -v jcmd >/dev/null || { echo "bench: jcmd (from the JDK) is required" >&2; exit 2; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 | $4 | $5 | $6 |"); }
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# heap used after a full GC, MiB
heap_used() {
  jcmd "$1" GC.heap_info | awk '
    /generation +total|garbage-first heap +total/ {
      for (i = 1; i <= NF; i++) if ($i == "used") u += $(i + 1) + 0
    }
    END { printf "%.1f", u / 1024 }'
}

# "heap used / committed, metaspace used" in MiB from `jcmd PID GC.heap_info` (Serial or G1)
heap_info() {
  jcmd "$1" GC.heap_info | awk '
    /generation +total|garbage-first heap +total/ {
      for (i = 1; i <= NF; i++) {
        if ($i == "total") { t += $(i + 1) + 0 }
        if ($i == "used") { u += $(i + 1) + 0 }
      }
    }
    /Metaspace +used/ { m = $3 + 0 }
    END { printf "heap used %.1f of %.1f MiB committed, metaspace %.1f MiB", u / 1024, t / 1024, m / 1024 }'
}

sec() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
now_ms() { date +%s%3N; }

# the daemon JVM started directly with flags $1 (as `sentinel daemon start` does, plus the flags)
sz_start_daemon_flags() {
  local home=$1 flags=$2
  mkdir -p "$home"
  # shellcheck disable=SC2086 # flags is a list of words
  java $flags -cp "$SZ_ROOT/sentinel-daemon/target/sentinel-daemon.jar" dev.sentinelzero.daemon.Main \
    --home "$home" daemon run --detach </dev/null >"$home.out" 2>&1 &
  local pid=$!
  wait_for 60 sh -c "SENTINEL_HOME='$home' '$SENTINEL' daemon status >/dev/null 2>&1" ||
    { echo "daemon with $flags did not start: $(cat "$home.out")" >&2; exit 1; }
  echo "$pid"
}

run_sentinel() {
  local n=$1 flags=${2:-} home pid sock res t0 ts0 ts1 rss_list rss rss_gc hi heap stop_s label=SentinelZero
  sz_new_home
  home=$SZ_HOME
  if [ -z "$flags" ]; then
    pid=$(sz_start_daemon "$home")
  else
    pid=$(sz_start_daemon_flags "$home" "$flags")
    label="(what-if) SentinelZero daemon with \`$flags\`"
  fi
  sock=$(sz_socket "$home")
  local note=""
  if [ "$n" -gt 0 ]; then
    res=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" start-many "$n" --cwd "$BENCH_TMP" --confirm list) || {
      echo "sentinel: starting $n failed: $res" >&2
      row "$label" "$n" "failed" "-" "-" "start-many failed: $(echo "$res" | cut -c1-200)"
      sz_stop_daemon "$home"
      return
    }
    note="$n started in $(sec "$(echo "$res" | jq .ms_to_last_reply)") s (one connection, pipelined); "
  fi
  sleep "$SETTLE"
  rss_list=$(rss_mib "$pid")
  ts0=$(now_ms)
  "$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call status '{}' >"$BENCH_TMP/status.json"
  ts1=$(now_ms)
  [ "$(jq '[.result.processes[] | select(.state == "running")] | length' "$BENCH_TMP/status.json")" = "$n" ] ||
    echo "sentinel: status does not show $n running" >&2
  sleep "$SETTLE"
  rss=$(rss_mib "$pid")
  local th fd
  th=$(threads "$pid")
  fd=$(fds "$pid")
  jcmd "$pid" GC.run >/dev/null
  sleep 2
  rss_gc=$(rss_mib "$pid")
  hi=$(heap_info "$pid")
  heap=$(heap_used "$pid")
  t0=$(now_ms)
  sz_stop_daemon "$home"
  stop_s=$(sec $(($(now_ms) - t0)))
  row "$label" "$n" "**$rss**" "$rss_gc" "$heap" \
    "${note}before any status $rss_list MiB; first status took $((ts1 - ts0)) ms (python client); after GC.run: $hi; $th threads, $fd fds; daemon stop took $stop_s s"
}

run_supervisord() {
  local n=$1 conf pid res rss th fd t0 stop_s
  sv_new_conf "$n" 0 'sleep 100000'
  conf=$SV_CONF
  res=$("$PYTHON" "$BENCH_DIR/sv_client.py" launch-wait "$conf" "$(sv_dir "$conf")/supervisor.sock" "$n" "$START_TIMEOUT") || {
    row supervisord "$n" "not measured" "-" "-" "not all $n RUNNING within $START_TIMEOUT s: $res"
    sv_stop "$conf"
    return
  }
  pid=$(sv_pid "$conf")
  sleep "$SETTLE"
  rss=$(rss_mib "$pid")
  th=$(threads "$pid")
  fd=$(fds "$pid")
  t0=$(now_ms)
  sv_stop "$conf"
  stop_s=$(sec $(($(now_ms) - t0)))
  row supervisord "$n" "**$rss**" "-" "-" \
    "all $n RUNNING $(sec "$(echo "$res" | jq .ms_all_running)") s after launching supervisord (startsecs=0); $th threads, $fd fds; shutdown took $stop_s s"
}

run_pm2() {
  local n=$1 home pid rss th fd t0 t1 stop_s note=""
  pm2_new_home
  home=$PM2H
  PM2_HOME=$home pm2 ping >/dev/null # starts the God Daemon
  pid=$(pm2_pid "$home")
  if [ "$n" -gt 0 ]; then
    pm2_ecosystem "$BENCH_TMP/eco$n.config.js" "$n" sleep "['100000']"
    t0=$(now_ms)
    if ! PM2_HOME=$home timeout "$START_TIMEOUT" pm2 start "$BENCH_TMP/eco$n.config.js" >/dev/null 2>"$BENCH_TMP/pm2.err" ||
      ! pm2_wait_online "$home" "$n" 60; then
      row PM2 "$n" "not measured" "-" "-" "not all $n online within $START_TIMEOUT s ($(pm2_online "$home") online)"
      pm2_stop "$home"
      return
    fi
    t1=$(now_ms)
    note="\`pm2 start\` of $n apps took $(sec $((t1 - t0))) s; "
  fi
  sleep "$SETTLE"
  rss=$(rss_mib "$pid")
  th=$(threads "$pid")
  fd=$(fds "$pid")
  t0=$(now_ms)
  pm2_stop "$home"
  stop_s=$(sec $(($(now_ms) - t0)))
  row PM2 "$n" "**$rss**" "-" "-" "${note}God Daemon; $th threads, $fd fds; pm2 kill took $stop_s s"
}

run_whatif() {
  local n=$1 flags
  local sets=()
  [ -z "$WHATIF_FLAGS" ] || IFS='|' read -r -a sets <<<"$WHATIF_FLAGS"
  for flags in "${sets[@]}"; do
    log "what-if: $flags"
    run_sentinel "$n" "$flags"
  done
}

for n in $COUNTS; do
  for tool in $TOOLS; do
    log "$tool with $n processes"
    "run_$tool" "$n"
  done
done

echo
echo "## daemon resident memory (VmRSS, MiB; median of 5 readings after ${SETTLE} s settling)"
echo
echo "| tool | processes | RSS MiB | RSS after GC.run MiB | live heap after GC MiB | notes |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
machine_info
