#!/usr/bin/env bash
# Alternated runs of several builds of mxguard on one log, to compare them on a busy machine by
# CPU time rather than wall clock: each DIR is a checkout whose ./mxguard is run in turn, RUNS
# times, as `analyze --no-progress --year 2026 --zone UTC LOG` with -Xmx512m.
# Prints per run "build seconds user_s sys_s maxrss_kb", then per build the run with the median CPU.
# Usage: bench/analyzer/pairs.sh RUNS LOG DIR...
# A build of an earlier commit: git archive COMMIT | tar -x -C /tmp/before && /tmp/before/mxguard version
set -uo pipefail
runs=$1; log=$2; shift 2
out=$(mktemp)
for i in $(seq 1 "$runs"); do
  for d in "$@"; do
    MXGUARD_JAVA_OPTS=-Xmx512m /usr/bin/time -f "$(basename "$d") %e %U %S %M" -o "$out.t" \
      "$d/mxguard" analyze --no-progress --year 2026 --zone UTC "$log" > /dev/null 2>&1
    cat "$out.t" | tee -a "$out"
  done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
for d in "$@"; do
  n=$(basename "$d")
  awk -v n="$n" '$1 == n { print $3 + $4, $2, $5 }' "$out" | sort -n | awk -v n="$n" '{ c[NR] = $1; w[NR] = $2; m[NR] = $3 } END {
    printf "%s median CPU %.2f s (min %.2f max %.2f), wall of that run %.2f, RSS %d MiB\n", n, c[int((NR + 1) / 2)], c[1], c[NR], w[int((NR + 1) / 2)], m[int((NR + 1) / 2)] / 1024 }'
done
rm -f "$out" "$out.t"
