#!/usr/bin/env bash
# bench/stop-tree.sh: time until a stopped process tree is completely gone, and what is left.
# The program: sh -c 'sleep 100000 & sleep 100000 & (sleep 100000 &); wait'
# (a shell, two background children, and a double-forked grandchild re-parented away from it).
# bench/treewatch.py records the four pids (and start times) in the leader's process group,
# issues the stop, and polls /proc every 1 ms until none of them is alive (zombies count as
# gone), or until 2 s after the stop command returned (then the survivors are leftovers, which
# it kills).
#
#   SentinelZero: `sentinel stop tree` (CLI, JVM start included), and the same `stop` request
#                 sent over the socket from inside treewatch.py (no client start-up).
#   supervisord:  `supervisorctl stop` with default settings, then with stopasgroup/killasgroup.
#   PM2:          `pm2 stop` (default settings: SIGINT to the tree it finds, SIGKILL after 1.6 s).
#
# Env: REPS (10).
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
REPS=${REPS:-10}
bench_init

TREE='sleep 100000 & sleep 100000 & (sleep 100000 &); wait'
declare -A RET GONE LAST LEADER LEFT DESC

# watch KEY LEADER-PID TREEWATCH-ARGS...: one measurement, appended to the KEY's samples
watch() {
  local key=$1 leader=$2 res
  shift 2
  res=$("$PYTHON" "$BENCH_DIR/treewatch.py" "$leader" --kill-leftovers "$@")
  if [ "$(echo "$res" | jq -r '.error // empty')" != "" ]; then
    echo "$key: $res" >&2
    exit 1
  fi
  [ "$(echo "$res" | jq .stop_rc)" = 0 ] || log "$key: the stop command failed: $res"
  RET[$key]+="$(echo "$res" | jq .ms_stop_returned)"$'\n'
  LEADER[$key]+="$(echo "$res" | jq .ms_leader_gone)"$'\n'
  LAST[$key]+="$(echo "$res" | jq .ms_last_death)"$'\n'
  local g
  g=$(echo "$res" | jq -r '.ms_all_gone // empty')
  [ -z "$g" ] || GONE[$key]+="$g"$'\n'
  LEFT[$key]+="$(echo "$res" | jq '.leftovers | length')"$'\n'
  if [ -z "${DESC[$key]:-}" ] && [ "$(echo "$res" | jq '.leftovers | length')" != 0 ]; then
    DESC[$key]=$(echo "$res" | jq -r '[.leftovers[] | "`\(.cmd)` (was child of \(.was_child_of), now of \(.ppid))"] | join(", ")')
  fi
  local pids
  mapfile -t pids < <(echo "$res" | jq -r '.leftovers[].pid')
  LEFTOVER_PIDS+=("${pids[@]}") # killed already; belt and braces
}

# --- SentinelZero
log "SentinelZero"
sz_new_home
szh=$SZ_HOME
sz_start_daemon "$szh" >/dev/null
sock=$(sz_socket "$szh")
export SENTINEL_HOME=$szh
"$SENTINEL" start --name tree --cwd "$BENCH_TMP" -- sh -c "$TREE" >/dev/null
sz_leader() { "$SENTINEL" status tree --json | jq '.processes[0].pid'; }
for variant in cli socket; do
  for ((rep = 1; rep <= REPS; rep++)); do
    [ "$(sz_leader)" != null ] || "$SENTINEL" start tree >/dev/null
    if [ $variant = cli ]; then
      watch sz_cli "$(sz_leader)" -- "$SENTINEL" stop tree
    else
      watch sz_sock "$(sz_leader)" --sz-stop "$sock" tree
    fi
  done
done
state=$("$SENTINEL" status tree --json | jq -r '.processes[0].state')
[ "$state" = stopped ] || log "sentinel: tree is $state after stop"
unset SENTINEL_HOME
sz_stop_daemon "$szh"

# --- supervisord
for variant in default group; do
  log "supervisord ($variant)"
  extra=
  [ $variant = default ] || extra=$'stopasgroup=true\nkillasgroup=true'
  sv_new_conf 1 1 "sh -c '$TREE'" "$extra"
  conf=$SV_CONF
  "$PYTHON" "$BENCH_DIR/sv_client.py" launch-wait "$conf" "$(sv_dir "$conf")/supervisor.sock" 1 30 >/dev/null
  for ((rep = 1; rep <= REPS; rep++)); do
    [ "$rep" = 1 ] || supervisorctl -c "$conf" start p0 >/dev/null
    watch "sv_$variant" "$(supervisorctl -c "$conf" pid p0)" -- supervisorctl -c "$conf" stop p0
  done
  sv_stop "$conf"
done

# --- PM2
log "PM2"
pm2_new_home
pmh=$PM2H
export PM2_HOME=$pmh
pm2_ecosystem "$BENCH_TMP/tree.config.js" 1 sh "['-c', '$TREE']"
pm2 start "$BENCH_TMP/tree.config.js" >/dev/null
pm2_leader() { pm2 jlist | jq '.[] | select(.name == "p0" and .pm2_env.status == "online") | .pid'; }
for ((rep = 1; rep <= REPS; rep++)); do
  [ "$rep" = 1 ] || pm2 start p0 >/dev/null
  wait_for 10 test -n "$(pm2_leader)"
  watch pm2 "$(pm2_leader)" -- pm2 stop p0
done
unset PM2_HOME
pm2_stop "$pmh"

# --- table
fmt() { # samples -> "median (min-max)" in ms, or "-"
  local s
  s=$(printf '%s' "$1" | grep -v '^null$' | stats)
  read -r med _ min max n <<<"$s"
  if [ "$n" = 0 ]; then echo "-"; else echo "**$med** ($min-$max)"; fi
}
row() { # key tool how
  local ret gone leader left runs_left total_left
  ret=$(printf '%s' "${RET[$1]}" | stats | cut -d' ' -f1)
  gone=$(fmt "${GONE[$1]:-}")
  leader=$(fmt "${LEADER[$1]}")
  runs_left=$(printf '%s' "${LEFT[$1]}" | awk '$1 > 0 { n++ } END { print n + 0 }')
  total_left=$(printf '%s' "${LEFT[$1]}" | awk '{ s += $1 } END { print s + 0 }')
  if [ "$runs_left" = 0 ]; then
    left="none"
  else
    left="$runs_left of $REPS runs left $total_left processes: ${DESC[$1]}"
    [ "$runs_left" != "$REPS" ] || gone="never; the others gone at $(fmt "${LAST[$1]}")"
  fi
  printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$3" "$ret" "$gone" "$leader" "$left"
}

echo
echo "## stop a process tree ($REPS runs each; ms from issuing the stop)"
echo
echo "Program: \`sh -c '$TREE'\` (4 processes)."
echo
echo "| tool | stop issued by | stop returned, median | all 4 gone, median (min-max) | leader gone, median (min-max) | leftovers |"
echo "|---|---|---|---|---|---|"
row sz_cli SentinelZero "\`sentinel stop tree\` (CLI)"
row sz_sock SentinelZero "\`stop\` request on the socket"
row sv_default supervisord "\`supervisorctl stop\`, defaults"
row sv_group supervisord "\`supervisorctl stop\`, stopasgroup+killasgroup"
row pm2 PM2 "\`pm2 stop\`, defaults"
echo
echo "\"all gone\" counts only runs where nothing was left; leftovers were killed by the script 2 s after the stop command returned."
machine_info
