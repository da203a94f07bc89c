#!/usr/bin/env bash
# Crash-to-respawn latency: a program that exits 1 at once is restarted with zero delay; the
# program itself appends "<EPOCHREALTIME> start" when it starts and "<EPOCHREALTIME> exit" just
# before it exits, so latency = start of run i+1 - exit of run i (bash start-up included, the same
# for every tool). Prints median and p99 per tool, measured in one run.
#
#   bench/respawn-latency.sh [RUNS]        (default 200 for SentinelZero and PM2; supervisord,
#                                            which polls about once a second, gets 20)
set -euo pipefail
ROOT=$(cd -P -- "$(dirname -- "$0")/.." && pwd)
RUNS=${1:-200}
SV_RUNS=20
TMP=$(mktemp -d /tmp/szr.XXXX)
export SENTINEL_NO_AUTOSTART=1
cleanup() {
  SENTINEL_HOME=$TMP/s "$ROOT/bin/sentinel" daemon stop >/dev/null 2>&1 || true
  PM2_HOME=$TMP/pm2 pm2 kill >/dev/null 2>&1 || true
  if [ -f "$TMP/v/supervisord.pid" ]; then kill "$(cat "$TMP/v/supervisord.pid")" 2>/dev/null || true; fi
  sleep 1
  rm -rf "$TMP"
}
trap cleanup EXIT

cat > "$TMP/crash.sh" <<'SH'
#!/bin/bash
echo "$EPOCHREALTIME start" >> "$1"
echo "$EPOCHREALTIME exit" >> "$1"
exit 1
SH
chmod +x "$TMP/crash.sh"

wait_lines() { # file count timeout_s
  local end=$((SECONDS + $3))
  while [ "$SECONDS" -lt "$end" ]; do
    [ -f "$1" ] && [ "$(grep -c start "$1")" -ge "$2" ] && return 0
    sleep 0.2
  done
  echo "timed out waiting for $2 runs in $1 (have $(grep -c start "$1" 2>/dev/null || echo 0))" >&2
  return 1
}

stats() { # file -> "median p99 n" in ms
  python3 - "$1" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
lat, last_exit = [], None
for t, kind in rows:
    t = float(t.replace(",", "."))
    if kind == "start" and last_exit is not None:
        lat.append((t - last_exit) * 1000)
    if kind == "exit":
        last_exit = t
lat.sort()
if not lat:
    print("- - 0"); sys.exit()
med = lat[len(lat) // 2] if len(lat) % 2 else (lat[len(lat) // 2 - 1] + lat[len(lat) // 2]) / 2
p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
print(f"{med:.2f} {p99:.2f} {len(lat)}")
PY
}

echo "machine: $(nproc) cores, $(uname -sr), $(java -version 2>&1 | head -1)" >&2

# --- SentinelZero
export SENTINEL_HOME=$TMP/s
"$ROOT/bin/sentinel" daemon start >/dev/null
"$ROOT/bin/sentinel" start --name crash --no-wait --restart always --retries unlimited --backoff fixed \
  --delay 0 --min-uptime 0 --jitter 0 -- "$TMP/crash.sh" "$TMP/sz.txt" >/dev/null
wait_lines "$TMP/sz.txt" "$((RUNS + 1))" 300
"$ROOT/bin/sentinel" stop crash >/dev/null
read -r sz_med sz_p99 sz_n < <(stats "$TMP/sz.txt")
unset SENTINEL_HOME

# --- PM2
export PM2_HOME=$TMP/pm2
cat > "$TMP/ecosystem.config.js" <<JS
module.exports = { apps: [{ name: "crash", script: "$TMP/crash.sh", args: "$TMP/pm2.txt",
  interpreter: "none", autorestart: true, restart_delay: 0, min_uptime: 0, max_restarts: 1000000 }] };
JS
pm2 start "$TMP/ecosystem.config.js" >"$TMP/pm2-start.log" 2>&1 || { cat "$TMP/pm2-start.log" >&2; exit 1; }
wait_lines "$TMP/pm2.txt" "$((RUNS + 1))" 300
pm2 delete crash >/dev/null 2>&1
read -r pm_med pm_p99 pm_n < <(stats "$TMP/pm2.txt")
unset PM2_HOME

# --- supervisord
mkdir -p "$TMP/v"
cat > "$TMP/v/supervisord.conf" <<CONF
[unix_http_server]
file=$TMP/v/sv.sock
[supervisord]
pidfile=$TMP/v/supervisord.pid
logfile=$TMP/v/supervisord.log
childlogdir=$TMP/v
nodaemon=false
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$TMP/v/sv.sock
[program:crash]
command=$TMP/crash.sh $TMP/sv.txt
autorestart=true
startsecs=0
startretries=1000000
CONF
supervisord -c "$TMP/v/supervisord.conf"
wait_lines "$TMP/sv.txt" "$((SV_RUNS + 1))" 300
supervisorctl -c "$TMP/v/supervisord.conf" stop crash >/dev/null 2>&1 || true
read -r sv_med sv_p99 sv_n < <(stats "$TMP/sv.txt")

echo
echo "| tool | restarts measured | median (ms) | p99 (ms) |"
echo "|---|---|---|---|"
echo "| SentinelZero | $sz_n | $sz_med | $sz_p99 |"
echo "| PM2 $(pm2 --version 2>/dev/null | tail -1) | $pm_n | $pm_med | $pm_p99 |"
echo "| supervisord $(supervisord --version) | $sv_n | $sv_med | $sv_p99 |"
