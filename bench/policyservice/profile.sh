#!/usr/bin/env bash
# Where the policy service's time goes under a paced load of new clients: `mxguard serve` (policy
# service, MX-skip rule in its default observe mode, so every request records a contact in the
# embedded evidence store) under a Java Flight Recording and a GC log, driven by PolicyLoad with 8
# connections: 5 s closed loop (warm-up), three paced runs of 10 s at RATE requests/s, one closed-loop
# run. Prints the load generator's lines, then JFR's views of the recording (hot methods, samples
# by thread, allocation by site, lock contention, GC pauses) and the size of the store file.
#
# Usage: bench/policyservice/profile.sh [RATE]   (default 20000)
#   KEEP=DIR keeps the recording, GC log and store in DIR (else a temporary directory, removed)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/policyservice/mxguard.sh"
rate=${1:-20000}
work=${KEEP:-$(mktemp -d /tmp/mxguard-profile.XXXXXX)}
mkdir -p "$work"
mx_pid=
cleanup() {
  set +e
  [ -n "$mx_pid" ] && kill "$mx_pid" 2>/dev/null && wait "$mx_pid" 2>/dev/null
  [ -z "${KEEP:-}" ] && rm -rf "$work"
}
trap cleanup EXIT

policyservice_compile "$work/load"
# No start-up cache: a recording's module options differ from the cache's, which the JVM refuses.
MXGUARD_AOT=0 policyservice_start "$work/mx" "-Xmx1g ${GC_OPTS:-} -Xlog:gc:file=$work/gc.log \
  -XX:StartFlightRecording=filename=$work/rec.jfr,settings=profile,dumponexit=true"
port=$mx_policy_port
load() { "$JAVA_HOME/bin/java" -cp "$work/load" PolicyLoad --port "$port" --connections 8 "$@"; }
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
load --seconds 5 --warmup 0 >/dev/null
for _ in 1 2 3; do load --rate "$rate" --seconds 10 --warmup 1; done
load --seconds 10 --warmup 1
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$mx_pid"
wait "$mx_pid" || true
mx_pid=
jfr=$JAVA_HOME/bin/jfr
for view in hot-methods allocation-by-site contention-by-site gc-pauses; do
  "$jfr" view --width 160 "$view" "$work/rec.jfr" | head -24
done
echo "execution samples by thread:"
"$jfr" print --events jdk.ExecutionSample "$work/rec.jfr" | sed -n 's/.*sampledThread = "\([^"]*\)".*/\1/p' \
  | sed 's/-[0-9]*$/-N/' | sort | uniq -c | sort -rn | head -8
echo "store file: $(du -h "$work/mx/spool/evidence/evidence.mv.db" | cut -f1)"
