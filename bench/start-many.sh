#!/usr/bin/env bash
# bench/start-many.sh: time to start 100 `sleep 100000` processes, from the first request until
# the last one runs. Each repetition uses a fresh daemon and private state.
#
#   SentinelZero: daemon already running; one connection, 100 `start` requests pipelined by
#     bench/sz_client.py (a writer thread writes while the main thread reads replies); time from
#     the first write to the last reply, then a `status` on the same connection must show all 100
#     running (the time to that answer is given too).
#   supervisord: 100 [program:x] sections with autostart=true; time from launching supervisord
#     until all 100 are RUNNING (polled every 10 ms through its socket with the same XML-RPC call
#     `supervisorctl status` makes; `supervisorctl status` then confirms 100 RUNNING). With the
#     default startsecs=1 and with startsecs=0. Extra rows: supervisord already running with
#     autostart=false, time of `supervisorctl start all`.
#   PM2: daemon already running (`pm2 ping`); time of `pm2 start ecosystem.config.js` (100 apps),
#     then `pm2 jlist` must show 100 online (polled if not yet). Extra row: the same with no PM2
#     daemon running yet (it is spawned by `pm2 start`).
# Target (issue): SentinelZero <= 0.5 s (median).
#
# Env: N (100), REPS (5).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
N=${N:-100}
REPS=${REPS:-5}
bench_init

now_ms() { date +%s%3N; }
declare -A T # T[key] = newline-separated samples in ms

add() { T[$1]+="$2"$'\n'; }

sv_running_ctl() { supervisorctl -c "$1" status | grep -c ' RUNNING ' || true; }

for ((rep = 1; rep <= REPS; rep++)); do
  log "repetition $rep of $REPS"

  # SentinelZero
  sz_new_home
  home=$SZ_HOME
  sz_start_daemon "$home" >/dev/null
  sock=$(sz_socket "$home")
  res=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" start-many "$N" --cwd "$BENCH_TMP") ||
    { echo "sentinel: start-many failed: $res" >&2; exit 1; }
  add sz_reply "$(echo "$res" | jq .ms_to_last_reply)"
  add sz_status "$(echo "$res" | jq .ms_to_status)"
  # a second batch on the same daemon (JIT-warm code paths, 100 processes already running)
  res=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" start-many "$N" --prefix w --cwd "$BENCH_TMP") ||
    { echo "sentinel: second start-many failed: $res" >&2; exit 1; }
  add sz_warm "$(echo "$res" | jq .ms_to_last_reply)"
  sz_stop_daemon "$home"

  # supervisord, autostart, from launching it
  for ss in 1 0; do
    sv_new_conf "$N" "$ss" 'sleep 100000'
    conf=$SV_CONF
    res=$("$PYTHON" "$BENCH_DIR/sv_client.py" launch-wait "$conf" "$(sv_dir "$conf")/supervisor.sock" "$N" 120) ||
      { echo "supervisord: not all running: $res" >&2; exit 1; }
    [ "$(sv_running_ctl "$conf")" = "$N" ] || { echo "supervisorctl status: not all $N RUNNING" >&2; exit 1; }
    add "sv_auto_$ss" "$(echo "$res" | jq .ms_all_running)"
    sv_stop "$conf"
  done

  # supervisord already running, `supervisorctl start all`
  for ss in 1 0; do
    sv_new_conf "$N" "$ss" 'sleep 100000' "" false
    conf=$SV_CONF
    "$PYTHON" "$BENCH_DIR/sv_client.py" launch-wait "$conf" "$(sv_dir "$conf")/supervisor.sock" 0 60 >/dev/null
    t0=$(now_ms)
    supervisorctl -c "$conf" start all >/dev/null
    t1=$(now_ms)
    [ "$(sv_running_ctl "$conf")" = "$N" ] || { echo "supervisorctl start all: not all $N RUNNING" >&2; exit 1; }
    add "sv_ctl_$ss" $((t1 - t0))
    sv_stop "$conf"
  done

  # PM2, daemon running; then cold
  for mode in warm cold; do
    pm2_new_home
    home=$PM2H
    pm2_ecosystem "$BENCH_TMP/ecosystem.config.js" "$N" sleep "['100000']"
    [ "$mode" = cold ] || PM2_HOME=$home pm2 ping >/dev/null
    t0=$(now_ms)
    PM2_HOME=$home pm2 start "$BENCH_TMP/ecosystem.config.js" >/dev/null
    t1=$(now_ms)
    online=$(pm2_online "$home")
    if [ "$online" != "$N" ]; then
      log "pm2: $online of $N online when \`pm2 start\` returned; polling"
      pm2_wait_online "$home" "$N" 60 || { echo "pm2: not all $N online" >&2; exit 1; }
    fi
    t2=$(now_ms)
    add "pm2_${mode}_ret" $((t1 - t0))
    add "pm2_${mode}_online" $((t2 - t0))
    pm2_stop "$home"
  done
done

line() { # key tool what notes
  local s
  s=$(printf '%s' "${T[$1]}" | stats)
  read -r med _ min max n <<<"$s"
  printf '| %s | %s | **%s** | %s | %s | %s |\n' "$2" "$3" "$(awk -v v="$med" 'BEGIN{printf "%.3f", v/1000}')" \
    "$(awk -v v="$min" 'BEGIN{printf "%.3f", v/1000}')" "$(awk -v v="$max" 'BEGIN{printf "%.3f", v/1000}')" "$4"
}

echo
echo "## start $N processes ($REPS repetitions, fresh daemon each; seconds)"
echo
echo "| tool | measured | median s | min s | max s | notes |"
echo "|---|---|---|---|---|---|"
line sz_reply SentinelZero "first request written -> last reply" "one socket connection, $N pipelined \`start\` requests (argv, cwd, path); daemon already running; every reply said running"
line sz_status SentinelZero "first request -> \`status\` answer showing all $N running" "same connection"
line sz_warm SentinelZero "second batch of $N on the same daemon: first request -> last reply" "(extra) warm JIT, $N already running"
line sv_auto_1 supervisord "launch supervisord -> all $N RUNNING" "autostart=true, default startsecs=1 (RUNNING only after 1 s up)"
line sv_auto_0 supervisord "launch supervisord -> all $N RUNNING" "autostart=true, startsecs=0"
line sv_ctl_1 supervisord "\`supervisorctl start all\` (returns when all RUNNING)" "supervisord already running, autostart=false, startsecs=1; includes supervisorctl start-up"
line sv_ctl_0 supervisord "\`supervisorctl start all\`" "as above, startsecs=0"
line pm2_warm_ret PM2 "\`pm2 start ecosystem.config.js\` returned" "God Daemon already running; includes pm2 CLI start-up"
line pm2_warm_online PM2 "... then \`pm2 jlist\` shows $N online" "one \`pm2 jlist\` right after start returned (~0.15-0.3 s of CLI start-up)"
line pm2_cold_ret PM2 "\`pm2 start ecosystem.config.js\`, no daemon yet" "spawns the God Daemon first"
echo
echo "Target: SentinelZero <= 0.5 s (median, first request -> last reply)."
machine_info
