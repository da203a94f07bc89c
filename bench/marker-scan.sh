#!/usr/bin/env bash
# bench/marker-scan.sh: the cost of one pass of the teardown's marker scan (issue #9) on Linux,
# with N processes alive that carry a supervision marker (sleep children of the bench JVM).
# It runs dev.sentinelzero.daemon.process.MarkerScanBench from the daemon's test classes.
#
#   group_only  the /proc/*/stat pass every teardown made before the marker scan existed
#   new_run     a teardown of a run started just now: environ is read only for processes started
#               since the run's leader (the common case: a crash loop, a short job)
#   all_marked  every process's environ read (a run as old as everything else; the sweep at
#               daemon stop)
#
# Env: N (1000), REPS (30). Prints one JSON line per case (median and p90 in ms).
set -euo pipefail
ROOT=$(cd -P -- "$(dirname -- "$0")/.." && pwd)
N=${N:-1000}
REPS=${REPS:-30}
cd "$ROOT"
if [ ! -d sentinel-daemon/target/test-classes/dev/sentinelzero/daemon/process ]; then
  echo "bench: build the test classes first: ./mvnw -B -q -pl sentinel-daemon -am test-compile" >&2
  exit 2
fi
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
# -am: sentinel-protocol comes from its target/classes (never from ~/.m2: nothing is installed)
./mvnw -B -q -pl sentinel-daemon -am compile dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
java -cp "sentinel-daemon/target/test-classes:sentinel-daemon/target/classes:$(cat "$CP_FILE")" \
  dev.sentinelzero.daemon.process.MarkerScanBench "$N" "$REPS"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
