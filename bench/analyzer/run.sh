#!/usr/bin/env bash
# Benchmarks `mxguard analyze` against Debian's pflogsumm and `grep -c 'from=<>'` (the scan ceiling)
# on the same generated Postfix log, in one run, and prints a Markdown table.
# Usage: [RUNS=5] bench/analyzer/run.sh [SIZE] [WORKDIR]      SIZE: 1G (default), 100M, ...
# Needs: pflogsumm (Debian package), GNU time (/usr/bin/time). The analyzer runs with -Xmx512m, through
# ./mxguard (MXGUARD_AOT=0 measures it without the launcher's start-up cache).
set -euo pipefail
size=${1:-1G}
work=${2:-$(mktemp -d /tmp/mxguard-bench.XXXXXX)}
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$root/scripts/java-home.sh"
mxguard_find_java
mkdir -p "$work"
# The generated logs are kept and reused (delete them to regenerate); the jar is rebuilt when stale,
# so that a second run measures the current sources.
if [ ! -f "$root/target/mxguard.jar" ] || [ -n "$(find "$root/src/main" -newer "$root/target/mxguard.jar" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -DskipTests -Dcheckstyle.skip package) >&2
fi
log="$work/mail.log"
primary="$work/primary.log"
if [ ! -f "$log" ] || [ "$(stat -c %s "$log")" -lt "$(numfmt --from=iec "$size")" ]; then
  "$root/bench/loggen/generate.sh" postfix "$size" "$log" "$primary" 1 2026
fi
bytes=$(stat -c %s "$log")
# MB are 10^6 bytes, as in dd's rates (MiB, 2^20 bytes, are 4.9 % larger).
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1048576 }')
cat "$log" "$primary" > /dev/null   # warm the page cache so every tool reads from memory

measure() { # name, command...: prints "name seconds maxrss_kb user_s sys_s"
  local name=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || true
  echo "$name $(tail -n 1 "$work/$name.time")"
}

# A shared VM's speed moves by 5 to 10 % from one run to the next: the quick tools run RUNS times
# (default 5) and the row is their median run (by seconds); pflogsumm, at over a minute, runs once.
runs=${RUNS:-5}
median() { # name, command...: the run with the median seconds, as measure prints it
  local name=$1; shift
  local all=()
  for _ in $(seq 1 "$runs"); do
    all+=("$(measure "$name" "$@")")
  done
  printf '%s\n' "${all[@]}" | sort -k2,2n | sed -n "$(( (runs + 1) / 2 ))p"
  printf '%s\n' "${all[@]}" | awk '{ printf "%s%s", (NR > 1 ? " " : "  " $1 " runs (s):"), " " $2 } END { print "" }' >&2
}

results=()
results+=("$(median grep grep -c 'from=<>' "$log")")
results+=("$(measure pflogsumm pflogsumm "$log")")
# mxguard runs as a user runs it: through the launcher, with its start-up cache (made here first).
"$root/mxguard" version > /dev/null
results+=("$(MXGUARD_JAVA_OPTS=-Xmx512m median mxguard "$root/mxguard" analyze --no-progress --year 2026 \
  --primary-log "$primary" --emit-rules "$work/rules.txt" "$log")")

echo "Log: $log ($mb MB = $mib MiB, $(wc -l < "$log") lines); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool | seconds | MB/s | CPU seconds | MB per CPU second | max RSS (MiB) | time vs mxguard |"
echo "|---|---:|---:|---:|---:|---:|---:|"
mx_s=$(printf '%s\n' "${results[@]}" | awk '$1 == "mxguard" { print $2 }')
for r in "${results[@]}"; do
  set -- $r
  awk -v n="$1" -v s="$2" -v k="$3" -v cpu="$(awk -v u="$4" -v y="$5" 'BEGIN { print u + y }')" -v mb="$mb" \
    -v mx="$mx_s" 'BEGIN { printf "| %s | %.2f | %.0f | %.2f | %.0f | %.0f | %.2fx |\n", n, s, (s > 0 ? mb / s : 0),
      cpu, (cpu > 0 ? mb / cpu : 0), k / 1024, (mx > 0 ? s / mx : 0) }'
done
echo
echo "grep -c 'from=<>' counted: $(head -n 1 "$work/grep.out")"
echo "mxguard proposed: $(grep -c '^tempfail' "$work/rules.txt") rules; first lines of its report:"
head -n 3 "$work/mxguard.out"
