#!/usr/bin/env bash
# Evidence store benchmark: MX-skip decisions and contact records per second (JMH, two threads)
# against the embedded store holding CLIENTS clients seen at a primary (default 1,000,000), and the
# heap it takes. For comparison with the shared (Redis) store, which runs the same benchmark.
#
# Usage: bench/evidence/run.sh [CLIENTS]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$root/scripts/java-home.sh"
mxguard_find_java
clients=${1:-1000000}
out="$root/target/evidence-bench"
mkdir -p "$out"
cd "$root"
mvn -B -q -DskipTests -Dcheckstyle.skip test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat "$out/classpath.txt")"
"$JAVA_HOME/bin/java" -cp "$cp" org.openjdk.jmh.Main 'EvidenceDecisionBenchmark' -p clients="$clients" -p kind=embedded,redis \
    -f 1 -wi 2 -w 5s -i 3 -r 5s -prof gc -jvmArgs -Xmx2g | tee "$out/jmh.txt"
# The CPU time of one decision per path (thread CPU time: not inflated by a busy machine).
"$JAVA_HOME/bin/java" -Xmx2g -cp "$cp" org.mxguard.evidence.DecisionCost "$clients" | tee "$out/decision-cost.txt"
