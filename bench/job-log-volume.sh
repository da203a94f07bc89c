#!/usr/bin/env bash
# bench/job-log-volume.sh: what a job scheduled every second (`--cron "* * * * * *"`, the job
# /bin/true) writes into the transaction log (`events` rows) and into daemon.log, measured over a
# window and extrapolated to a day (x 86400 / window seconds; an extrapolation: the job does the
# same thing every second). Also checks that another process's events survive the job: a process
# "bystander" gets one event before the window, and must still have it after.
#
#   bench/job-log-volume.sh [WINDOW_S]     (default 180)
#
# Env: SENTINEL_EVENTS_MAX_COUNT etc. pass through to the daemon.
set -euo pipefail
. "$(dirname -- "$0")/lib.sh"
WINDOW=${1:-180}
bench_init

max_id() { # db: the newest event's id (ids only grow: the delta is what was written, pruned or not)
  "$PYTHON" -c 'import sqlite3,sys; print(sqlite3.connect("file:"+sys.argv[1]+"?mode=ro", uri=True).execute("SELECT coalesce(max(id),0) FROM events").fetchone()[0])' "$1"
}

events_of() { # db [name]: rows in events (of one process when a name is given)
  "$PYTHON" - "$@" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
if len(sys.argv) > 2:
    print(db.execute("SELECT count(*) FROM events WHERE name = ?", (sys.argv[2],)).fetchone()[0])
else:
    print(db.execute("SELECT count(*) FROM events").fetchone()[0])
PY
}

machine_info
echo
sz_new_home
home=$SZ_HOME
pid=$(sz_start_daemon "$home")
sock=$(sz_socket "$home")
db=$home/sentinel.db
dlog=$home/logs/daemon.log
"$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call start \
  "$(jq -cn --arg cwd "$BENCH_TMP" '{name:"bystander", argv:["sleep","100000"], cwd:$cwd}')" >/dev/null
bystander=$(events_of "$db" bystander)
args=$(jq -cn --arg cwd "$BENCH_TMP" '{name:"tick", argv:["/bin/true"], cwd:$cwd, schedule:{cron:"* * * * * *"}}')
"$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call schedule "$args" >/dev/null
sleep 5 # the first fires; then the window
e0=$(max_id "$db")
b0=$(stat -c %s "$dlog")
log "measuring for ${WINDOW}s"
sleep "$WINDOW"
e1=$(max_id "$db")
b1=$(stat -c %s "$dlog")
hist=$("$PYTHON" "$BENCH_DIR/sz_client.py" "$sock" call history '{"name":"tick","limit":10000}' | jq '.result.runs | length')
all=$(events_of "$db")
bystander_after=$(events_of "$db" bystander)
cpu=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sz_stop_daemon "$home"

"$PYTHON" - "$WINDOW" "$e0" "$e1" "$b0" "$b1" "$hist" "$all" "$bystander" "$bystander_after" <<'PY'
import sys
w, e0, e1, b0, b1, hist, total, by0, by1 = map(int, sys.argv[1:])
day = 86400 / w
print(f"window: {w} s of a job fired every second; runs in its history: {hist}")
print()
print("| per day (extrapolated) | events written (the job is the only writer) | daemon.log bytes |")
print("|---|---|---|")
print(f"| | {int((e1 - e0) * day):,} ({(e1 - e0) / w:.2f}/s) | {int((b1 - b0) * day):,} ({(b1 - b0) / w:.0f} B/s) |")
print()
print(f"events rows in the database at the end: {total:,}; the bystander's events: {by0} before, {by1} after")
PY
