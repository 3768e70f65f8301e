#!/usr/bin/env bash
# Long fuzz runs: each Jazzer target until it has run EXECUTIONS inputs (default 10 million), one
# after the other, in a copy of the tree so the working tree is untouched. Prints one line per
# target (executions, seconds, edges, corpus, findings) and keeps each target's log.
#
#   bench/fuzz/run.sh [EXECUTIONS] [TARGET...]
#   bench/fuzz/run.sh 10000000                       # every target
#   bench/fuzz/run.sh 1000000 CommandParserFuzzTest  # one target
#   FUZZ_MVN_OPTS='-Djazzer.instrumentation_includes=org.mxguard.**' bench/fuzz/run.sh ...
#                                                    # coverage of mxguard's code only (faster)
#
# A finding fails the target's run; Jazzer writes the input to the target's *FuzzTestInputs
# directory in the copy (named in the log), from where it is copied into the tree to replay in
# the normal suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/java-home.sh && mxguard_find_java
executions=${1:-10000000}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(grep -rl '@FuzzTest' src/test/java | xargs -n1 basename | sed 's/\.java$//' | sort)
fi
out=${FUZZ_OUT:-$root/target/fuzz}
copy=$(mktemp -d /tmp/mxguard-fuzz.XXXXXX)
findings=0
trap '[ $findings -eq 0 ] && rm -rf "$copy" || echo "findings kept in $copy/src/test/resources"' EXIT
mkdir -p "$out"
# the copy: sources and pom only, so a run never sees (or leaves) build output in the tree
cp -r pom.xml src scripts config "$copy"/ 2>/dev/null || cp -r pom.xml src scripts "$copy"/
printf '%-28s %12s %8s %7s %10s  %s\n' target executions seconds edges exec/s findings
for t in "${targets[@]}"; do
    log=$out/$t.log
    start=$(date +%s)
    status=ok
    (cd "$copy" && JAZZER_FUZZ=1 nice -n 19 mvn -B -o test -Dcheckstyle.skip -Dtest="$t" \
        -Djazzer.max_executions="$executions" -Djazzer.max_duration=${FUZZ_MAX_DURATION:-4h} ${FUZZ_MVN_OPTS:-} \
        -DargLine="--enable-native-access=ALL-UNNAMED -Xmx${FUZZ_HEAP:-1g}" >"$log" 2>&1) || status=FINDING
    seconds=$(( $(date +%s) - start ))
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
    edges=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
    fuzz_seconds=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    rate=$(( ${runs:-0} / ( ${fuzz_seconds:-$seconds} > 0 ? ${fuzz_seconds:-$seconds} : 1 ) ))
    if [ "$status" != ok ]; then
        findings=$((findings + 1))
        status="FINDING: $(grep -m1 -E '== Java Exception|Exception:|crash-' "$log" | cut -c1-120)"
    fi
    printf '%-28s %12s %8s %7s %10s  %s\n' "$t" "${runs:-?}" "$seconds" "${edges:-?}" "${rate:-?}" "$status"
done
