#!/usr/bin/env bash
# The fleet's numbers on a real redis-server started on a loopback port chosen at run time: block
# propagation between two hosts' stores (p50, p99), and Redis keys, Redis memory and Java heap per
# tracked client with CLIENTS clients seen at a primary (default 1,000,000) and a tenth as many with
# retry credit.
#
# Usage: bench/evidence/fleet.sh [CLIENTS]
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
"$JAVA_HOME/bin/java" -Xmx3g -cp "$cp" org.mxguard.evidence.FleetNumbers "$clients" 2>/dev/null | tee "$out/fleet.txt"
