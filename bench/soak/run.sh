#!/usr/bin/env bash
# Soak: rounds of smtp-source -> mxguard serve -> smtp-sink, the relay's queue drained after each
# round; after each, the server's heap after a full GC and its thread count (jcmd), and at the end
# the types whose instance count grew most from the first drained round to the last. A leak shows
# as a type that grows with the rounds; what a warm server holds shows once and stays.
#
# Usage: bench/soak/run.sh [ROUNDS] [MESSAGES] [SESSIONS]   (defaults 6, 20000, 20; SIZE=2048)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib/postfix-instance.sh"
. "$root/bench/lib/mxguard-instance.sh"
. "$root/scripts/java-home.sh" && mxguard_find_java
rounds=${1:-6}
messages=${2:-20000}
sessions=${3:-20}
size=${SIZE:-2048}
work=$(mktemp -d /tmp/mxguard-soak.XXXXXX)
sink_pid=
cleanup() {
  mxguard_stop
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$root/mxguard" version > /dev/null
sink_port=$(free_port)
smtp-sink -u nobody -m 200 "127.0.0.1:$sink_port" 256 &
sink_pid=$!
mxguard_start "$root" "$work/mx" '  routes:
    protected.test: "[127.0.0.1]:'"$sink_port"'"'
java_pid=$(pgrep -P "$mx_pid" java || echo "$mx_pid")
queued() { find "$work/mx/spool/queue" -name "*.msg" 2>/dev/null | wc -l; }
histogram() { "$JAVA_HOME/bin/jcmd" "$java_pid" GC.class_histogram > "$1"; }
heap_after_gc() { # MB used after the histogram's full GC (the histogram's total line)
  awk '/^Total/ { printf "%.1f", $3 / 1048576 }' "$1"
}
printf '%-6s %10s %10s %14s %8s\n' round messages seconds "heap after GC" threads
for r in $(seq 1 "$rounds"); do
  t0=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$messages" -l "$size" -f soak@client.test -t user@protected.test \
      "127.0.0.1:$mx_port" > /dev/null
  for _ in $(seq 1 12000); do [ "$(queued)" = 0 ] && break; sleep 0.05; done
  t1=$(date +%s.%N)
  histogram "$work/histo-$r.txt"
  threads=$(ls "/proc/$java_pid/task" | wc -l)
  printf '%-6s %10s %10.1f %12s MB %8s\n' "$r" "$((r * messages))" "$(echo "$t1 - $t0" | bc)" \
      "$(heap_after_gc "$work/histo-$r.txt")" "$threads"
done
echo
echo "types that grew most in instances from round 1 to round $rounds:"
python3 - "$work/histo-1.txt" "$work/histo-$rounds.txt" <<'PY'
import re, sys
def load(p):
    d = {}
    for line in open(p):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            d[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
rows = sorted(((b.get(k, (0, 0))[0] - a.get(k, (0, 0))[0], b.get(k, (0, 0))[1] - a.get(k, (0, 0))[1], k)
               for k in set(a) | set(b)), reverse=True)
for n, size, k in rows[:8]:
    print(f"  {n:+9d} instances {size / 1024:+9.0f} KB  {k}")
PY
