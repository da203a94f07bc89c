# bench/lib.sh: shared helpers for the bench/*.sh scripts (sourced, not run).
#
# Every peer runs with private state under one temp dir ($BENCH_TMP, short so that sockets fit):
#   SentinelZero: SENTINEL_HOME=$BENCH_TMP/s<N>        (one fresh home per daemon)
#   supervisord:  $BENCH_TMP/v<N>/supervisord.conf     (unix socket, pidfile, logs all in there)
#   PM2:          PM2_HOME=$BENCH_TMP/p<N>/pm2
# bench_cleanup (installed as the EXIT trap by bench_init) stops every daemon started through these
# helpers, kills any process it recorded as left over, and removes $BENCH_TMP.
# shellcheck shell=bash

BENCH_DIR=$(cd -P -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$BENCH_DIR")
SZ_ROOT=$ROOT # where bin/sentinel and the jars are run from (a private copy: sz_snapshot)
SENTINEL=$SZ_ROOT/bin/sentinel
# The real interpreter, not a version-manager shim (pyenv's costs ~50 ms per start).
PYTHON=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}
# The CLI must never start a daemon by accident (e.g. in a home we did not prepare).
export SENTINEL_NO_AUTOSTART=1

SZ_HOMES=()
SV_CONFS=()
PM2_HOMES=()
BENCH_TMP=

bench_init() {
  for tool in jq "$PYTHON"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is required" >&2; exit 2; }
  done
  if [ ! -f "$ROOT/sentinel-cli/target/sentinel-cli.jar" ] ||
    [ ! -f "$ROOT/sentinel-daemon/target/sentinel-daemon.jar" ]; then
    echo "bench: build first: (cd $ROOT && ./mvnw -B -q -DskipTests package)" >&2
    exit 2
  fi
  BENCH_TMP=$(mktemp -d /tmp/szb.XXXX)
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
  sz_snapshot
}

# Other people rebuild /work/main while we measure; a JVM whose jar is rewritten under it can fail
# to load a class later (we saw a daemon exit without stopping its children that way). So the
# benchmarks run SentinelZero from a private copy of the built jars and the launcher (same layout,
# so bin/sentinel finds everything, and records its own AppCDS archive for the copy).
# SZ_IN_PLACE=1 runs the repository's bin/sentinel instead.
sz_snapshot() {
  local wip=
  [ -z "$(git -C "$ROOT" status --porcelain -- '*/src/*' 2>/dev/null)" ] || wip=" + uncommitted sources"
  SZ_BUILD="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$wip, daemon jar built $(date -u -r "$ROOT/sentinel-daemon/target/sentinel-daemon.jar" +%H:%MZ), CLI jar $(date -u -r "$ROOT/sentinel-cli/target/sentinel-cli.jar" +%H:%MZ)"
  [ -z "${SZ_IN_PLACE:-}" ] || return 0
  local copy=$BENCH_TMP/sz m jar
  mkdir -p "$copy/bin"
  cp "$ROOT/bin/sentinel" "$copy/bin/"
  for m in sentinel-cli sentinel-daemon; do
    mkdir -p "$copy/$m/target"
    cp -R "$ROOT/$m/target/$m.jar" "$ROOT/$m/target/lib" "$copy/$m/target/"
  done
  for jar in "$copy"/*/target/*.jar "$copy"/*/target/lib/*.jar; do
    "$PYTHON" -m zipfile -t "$jar" >/dev/null || { echo "bench: $jar is damaged (a build running?)" >&2; exit 2; }
  done
  SZ_ROOT=$copy
  SENTINEL=$SZ_ROOT/bin/sentinel
  "$SENTINEL" --help >/dev/null 2>&1 || true # records the AppCDS archive of the copy
  [ -f "$copy/sentinel-cli/target/sentinel-cli.jsa" ] || log "warning: no AppCDS archive was recorded"
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------
# Machine and numbers

machine_info() {
  local mem
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
  echo
  echo "| machine | |"
  echo "|---|---|"
  echo "| date | $(date -u +%Y-%m-%dT%H:%MZ) |"
  echo "| cores (nproc) | $(nproc) |"
  echo "| memory | $mem |"
  echo "| kernel | $(uname -sr) |"
  echo "| java | $(java -version 2>&1 | head -n 1) |"
  echo "| load before | $(cut -d' ' -f1-3 /proc/loadavg) |"
  echo "| SentinelZero | $SZ_BUILD$([ -n "${SZ_IN_PLACE:-}" ] || echo '; run from a private copy of the jars') |"
  echo "| supervisord | $(supervisord --version 2>/dev/null || echo '?') |"
  # (not `pm2 --version`: it spawns a daemon)
  echo "| pm2 | $(jq -r .version "$(npm root -g 2>/dev/null)/pm2/package.json" 2>/dev/null || echo '?'), node $(node --version 2>/dev/null || echo '?') |"
}

# median and p99 (nearest rank) of numbers on stdin, one per line; prints "median p99 min max n"
stats() {
  sort -g | awk '{ v[NR] = $1 }
    END {
      if (NR == 0) { print "- - - - 0"; exit }
      if (NR % 2) med = v[(NR + 1) / 2]; else med = (v[NR / 2] + v[NR / 2 + 1]) / 2
      r = int(0.99 * NR); if (r < 0.99 * NR) r++; if (r < 1) r = 1
      printf "%g %g %g %g %d\n", med, v[r], v[1], v[NR], NR
    }'
}

# alive PID: the process exists and is not a zombie (our daemons' parent is pid 1 here, which
# reaps them a little later)
alive() {
  local st
  st=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
gone() { ! alive "$1"; }

vmrss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# median of 5 VmRSS readings 1 s apart, in MiB (one decimal)
rss_mib() {
  local pid=$1 i
  for i in 1 2 3 4 5; do
    vmrss_kib "$pid"
    [ "$i" = 5 ] || sleep 1
  done | stats | awk '{printf "%.1f", $1 / 1024}'
}

# waits until `cmd...` succeeds, at most $1 seconds
wait_for() {
  local timeout=$1 start=$SECONDS
  shift
  until "$@"; do
    if ((SECONDS - start >= timeout)); then return 1; fi
    sleep 0.05
  done
}

# ---------------------------------------------------------------------------------------------
# SentinelZero

# sz_new_home: sets SZ_HOME to a fresh home path and records it for cleanup. (These *_new_*
# helpers set a variable instead of printing: $(...) would run them in a subshell, and the
# cleanup list would never learn about the home.)
sz_new_home() {
  SZ_HOME=$BENCH_TMP/s${#SZ_HOMES[@]}
  SZ_HOMES+=("$SZ_HOME")
}

sz() { "$SENTINEL" "$@"; } # run with SENTINEL_HOME set by the caller

# sz_start_daemon HOME: starts a daemon there, prints its pid
sz_start_daemon() {
  SENTINEL_HOME=$1 "$SENTINEL" daemon start >/dev/null
  SENTINEL_HOME=$1 "$SENTINEL" daemon status --json | jq -r .pid
}

sz_socket() { SENTINEL_HOME=$1 "$SENTINEL" daemon status --json | jq -r .socket; }

sz_stop_daemon() {
  local home=$1 pid
  [ -d "$home" ] || return 0
  pid=$(SENTINEL_HOME=$home "$SENTINEL" daemon status --json 2>/dev/null | jq -r '.pid // empty' 2>/dev/null) || true
  [ -n "$pid" ] || return 0
  SENTINEL_HOME=$home timeout 120 "$SENTINEL" daemon stop >/dev/null 2>&1 || true
  wait_for 60 gone "$pid" || {
    log "sentinel daemon $pid did not stop; killing it"
    kill -9 "$pid" 2>/dev/null || true
  }
}

# ---------------------------------------------------------------------------------------------
# supervisord

# sv_new_conf N STARTSECS COMMAND [EXTRA-PROGRAM-LINES] [AUTOSTART]: writes a private
# supervisord.conf with N programs p0..p<N-1>; sets SV_CONF to its path.
sv_new_conf() {
  local n=$1 startsecs=$2 command=$3 extra=${4:-} autostart=${5:-true}
  local dir=$BENCH_TMP/v${#SV_CONFS[@]} i
  mkdir -p "$dir/logs"
  SV_CONF=$dir/supervisord.conf
  SV_CONFS+=("$SV_CONF")
  {
    cat <<EOF
[unix_http_server]
file=$dir/supervisor.sock
chmod=0700

[supervisord]
logfile=$dir/supervisord.log
pidfile=$dir/supervisord.pid
childlogdir=$dir/logs
nodaemon=false
minfds=8192
minprocs=2000

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$dir/supervisor.sock
EOF
    for ((i = 0; i < n; i++)); do
      printf '\n[program:p%d]\ncommand=%s\nautostart=%s\nautorestart=false\nstartsecs=%s\n' \
        "$i" "$command" "$autostart" "$startsecs"
      [ -z "$extra" ] || printf '%s\n' "$extra"
    done
  } >"$SV_CONF"
}

sv_dir() { dirname -- "$1"; }
sv_pid() { cat "$(sv_dir "$1")/supervisord.pid"; }

sv_stop() {
  local conf=$1 dir pid
  dir=$(sv_dir "$conf")
  [ -f "$dir/supervisord.pid" ] || return 0
  pid=$(cat "$dir/supervisord.pid")
  alive "$pid" || return 0
  timeout 60 supervisorctl -c "$conf" shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_for 120 gone "$pid" || {
    log "supervisord $pid did not stop; killing it"
    kill -9 "$pid" 2>/dev/null || true
  }
}

# ---------------------------------------------------------------------------------------------
# PM2

# pm2_new_home: sets PM2H to a fresh PM2_HOME and records it for cleanup
pm2_new_home() {
  PM2H=$BENCH_TMP/p${#PM2_HOMES[@]}/pm2
  mkdir -p "$PM2H"
  PM2_HOMES+=("$PM2H")
}

# pm2_ecosystem FILE N SCRIPT ARGS-JSON: N apps p0..p<N-1> running SCRIPT with ARGS (no node)
pm2_ecosystem() {
  local file=$1 n=$2 script=$3 args=$4
  cat >"$file" <<EOF
module.exports = {
  apps: Array.from({ length: $n }, (_, i) => ({
    name: 'p' + i,
    script: '$script',
    args: $args,
    interpreter: 'none',
    autorestart: false,
  })),
};
EOF
}

# PM2's God Daemon pid for PM2_HOME $1
pm2_pid() { cat "$1/pm2.pid"; }

pm2_online() { PM2_HOME=$1 pm2 jlist 2>/dev/null | jq '[.[] | select(.pm2_env.status == "online")] | length'; }

# pm2_wait_online HOME N TIMEOUT-S: polls `pm2 jlist` until N apps are online
pm2_wait_online() {
  local start=$SECONDS
  until [ "$(pm2_online "$1")" = "$2" ]; do
    if ((SECONDS - start >= $3)); then return 1; fi
    sleep 0.05
  done
}

pm2_stop() {
  local home=$1 pid=
  [ -f "$home/pm2.pid" ] && pid=$(cat "$home/pm2.pid")
  PM2_HOME=$home timeout 300 pm2 kill >/dev/null 2>&1 || true
  if [ -n "$pid" ] && ! wait_for 10 gone "$pid"; then
    log "PM2 daemon $pid did not stop; killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------------------------------------

LEFTOVER_PIDS=()

bench_cleanup() {
  local status=$? h c p
  trap - EXIT INT TERM
  set +e
  for h in "${SZ_HOMES[@]}"; do sz_stop_daemon "$h"; done
  for c in "${SV_CONFS[@]}"; do sv_stop "$c"; done
  for h in "${PM2_HOMES[@]}"; do pm2_stop "$h"; done
  for p in "${LEFTOVER_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  # Belt and braces: a daemon of ours that is still there (its command line names our temp dir)
  # gets SIGTERM by pid, so it stops its own children, before the temp dir goes.
  if [ -n "$BENCH_TMP" ]; then
    for p in /proc/[0-9]*; do
      p=${p#/proc/}
      [ "$p" != $$ ] || continue
      if tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF "$BENCH_TMP/"; then
        log "cleanup: $p still running ($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-80)); SIGTERM"
        kill -TERM "$p" 2>/dev/null
        wait_for 20 gone "$p" || kill -9 "$p" 2>/dev/null
      fi
    done
  fi
  if [ -n "${KEEP_TMP:-}" ]; then
    log "kept $BENCH_TMP (KEEP_TMP)"
  elif [ -n "$BENCH_TMP" ]; then
    rm -rf "$BENCH_TMP"
  fi
  exit "$status"
}
