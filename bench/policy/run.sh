#!/usr/bin/env bash
# The policy benchmark: generates 1,000,000 CIDR rules and 100,000 domain rules, measures load
# time, bytes per rule and decisions per second (JMH, one thread), then asks Postfix's cidr: table
# the same questions with `postmap -q -`, checks that both answer alike, and prints the ratio.
#
# Usage: bench/policy/run.sh [CIDR_RULES [DOMAIN_RULES [POSTMAP_QUERIES]]]
# Output: target/policy-bench/ (rules, tables, report.txt, jmh.txt, summary.txt)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$root/scripts/java-home.sh"
mxguard_find_java
cidr_rules=${1:-1000000}
domain_rules=${2:-100000}
postmap_queries=${3:-1000}
out="$root/target/policy-bench"
mkdir -p "$out/postfix"
cd "$root"

echo "== generating $cidr_rules CIDR rules, $domain_rules domain rules" >&2
python3 bench/policy/generate.py "$out" "$cidr_rules" "$domain_rules" 1000000 "$postmap_queries"

echo "== building" >&2
mvn -B -q -DskipTests -Dcheckstyle.skip test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$out/classpath.txt" -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat "$out/classpath.txt")"
java="$JAVA_HOME/bin/java"

echo "== load time, bytes per rule, mxguard's answers" >&2
"$java" -Xmx3g -cp "$cp" org.mxguard.policy.PolicyBenchReport "$out" | tee "$out/report.txt"

# decide: one random client per decision; decideSessions: CONNECT, HELO, MAIL, RCPT per client,
# as an SMTP session asks.
echo "== JMH: decisions per second, one thread" >&2
"$java" -Xmx3g -cp "$cp" org.openjdk.jmh.Main 'PolicyDecisionBenchmark.decide(Sessions)?$' -p dir="$out" \
    -f 1 -wi 3 -w 5s -i 5 -r 5s -jvmArgs -Xmx3g | tee "$out/jmh.txt"
echo "== JMH: load time" >&2
"$java" -Xmx3g -cp "$cp" org.openjdk.jmh.Main 'PolicyDecisionBenchmark.loadRules' -p dir="$out" \
    -f 1 -wi 1 -i 3 -jvmArgs -Xmx3g | tee "$out/jmh-load.txt"

echo "== Postfix: postmap -q - cidr:clients.cidr" >&2
: > "$out/postfix/main.cf"
head -n 1 "$out/postmap.txt" > "$out/postmap-one.txt"
now() { date +%s.%N; }
t0=$(now)
postmap -c "$out/postfix" -q - "cidr:$out/clients.cidr" < "$out/postmap-one.txt" > /dev/null
t1=$(now)
postmap -c "$out/postfix" -q - "cidr:$out/clients.cidr" < "$out/postmap.txt" > "$out/postmap-answers.txt"
t2=$(now)

if diff -q <(sort "$out/postmap-answers.txt") <(sort "$out/mxguard-answers.txt") > /dev/null; then
  agree="yes: identical answers for all $postmap_queries queries"
else
  agree="NO: see diff of postmap-answers.txt and mxguard-answers.txt"
fi
# The score is the word before "±" on JMH's result line.
score() { awk -v b="$1" '$1 == b { for (i = 2; i <= NF; i++) if ($i == "±") print $(i - 1) }' "$2"; }
mx_rate=$(score PolicyDecisionBenchmark.decide "$out/jmh.txt")
mx_sessions=$(score PolicyDecisionBenchmark.decideSessions "$out/jmh.txt")
mx_load=$(score PolicyDecisionBenchmark.loadRules "$out/jmh-load.txt")
python3 - "$t0" "$t1" "$t2" "$postmap_queries" "$mx_rate" "$mx_load" "$agree" "$out/report.txt" "$mx_sessions" \
    <<'PY' | tee "$out/summary.txt"
import sys
t0, t1, t2 = map(float, sys.argv[1:4])
n = int(sys.argv[4])
mx = float(sys.argv[5].replace(",", ""))
load_ms = float(sys.argv[6].replace(",", ""))
agree = sys.argv[7]
report = dict(line.split(" ", 1) for line in open(sys.argv[8]).read().splitlines() if " " in line)
sessions = float(sys.argv[9].replace(",", ""))
pf_load = t1 - t0
pf_rate = (n - 1) / max(1e-9, (t2 - t1) - pf_load)
print(f"rules                       {report['rules']}")
print(f"mxguard decisions/s (JMH)   {mx:,.0f}  (one thread, wall clock, a random client each)")
print(f"  in sessions (JMH)         {sessions:,.0f}  (CONNECT, HELO, MAIL, RCPT per client)")
print(f"mxguard decisions/CPU-s     {report['loop_decisions_per_s'].split(': ')[-1].rstrip(')')}  (last plain-loop round, thread CPU time)")
print(f"mxguard load CPU            {report['load_cpu_ms']} ms (thread CPU time)")
print(f"mxguard load (JMH)          {load_ms:,.0f} ms")
print(f"mxguard heap bytes/rule     {report['heap_bytes_per_rule']}")
print(f"postmap cidr: lookups/s     {pf_rate:,.0f}  (load {pf_load:.1f} s, {n} queries)")
print(f"ratio mxguard / postmap     {mx / pf_rate:,.0f}x")
print(f"same answers                {agree}")
PY
