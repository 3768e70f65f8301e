#!/usr/bin/env bash
# Benchmarks `mxguard analyze` on a sendmail log made of the corpus's real sendmail lines
# (bench/analyzer/sendmail-scale.py) side by side, in the same run, with a generated Postfix log of
# the same size and with Debian's pflogsumm on that Postfix log, and prints a Markdown table.
# Usage: [RUNS=5] bench/analyzer/sendmail.sh [SIZE] [WORKDIR]      SIZE: 300M (default), 1G, ...
# Needs: python3, pflogsumm, GNU time. mxguard runs through ./mxguard with -Xmx512m, no primary log.
set -euo pipefail
size=${1:-300M}
work=${2:-$(mktemp -d /tmp/mxguard-bench-sendmail.XXXXXX)}
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
. "$root/scripts/java-home.sh"
mxguard_find_java
mkdir -p "$work"
want=$(numfmt --from=iec "$size")
# The scaler stops at the last whole message that fits, a little under SIZE: a log within 1 % of it
# is the one asked for.
enough=$(( want * 99 / 100 ))
sendmail="$work/sendmail.log"
postfix="$work/postfix.log"
# The logs are kept and reused (delete them to make them again). RFC 3164 stamps carry no zone:
# both are written and read in UTC.
if [ ! -f "$sendmail" ] || [ "$(stat -L -c %s "$sendmail")" -lt "$enough" ]; then
  TZ=UTC python3 "$root/bench/analyzer/sendmail-scale.py" "$size" "$sendmail"
fi
if [ ! -f "$postfix" ] || [ "$(stat -L -c %s "$postfix")" -lt "$enough" ]; then
  "$root/bench/loggen/generate.sh" postfix "$size" "$postfix" "$work/postfix-primary.log" 1 2026 > /dev/null
fi
"$root/mxguard" version > /dev/null   # builds the jar and the start-up cache when stale
cat "$sendmail" "$postfix" > /dev/null

measure() { # name, command...: prints "name seconds maxrss_kb user_s sys_s"
  local name=$1; shift
  /usr/bin/time -f '%e %M %U %S' -o "$work/$name.time" "$@" > "$work/$name.out" 2> "$work/$name.err" || true
  echo "$name $(tail -n 1 "$work/$name.time")"
}
runs=${RUNS:-5}
median() { # name, command...: the run with the median seconds
  local name=$1; shift
  local all=()
  for _ in $(seq 1 "$runs"); do
    all+=("$(measure "$name" "$@")")
  done
  printf '%s\n' "${all[@]}" | sort -k2,2n | sed -n "$(( (runs + 1) / 2 ))p"
  printf '%s\n' "${all[@]}" | awk '{ printf "%s%s", (NR > 1 ? " " : "  " $1 " runs (s):"), " " $2 } END { print "" }' >&2
}
analyze=("$root/mxguard" analyze --no-progress --year 2026 --zone UTC)
results=()
results+=("$(MXGUARD_JAVA_OPTS=-Xmx512m median mxguard-sendmail "${analyze[@]}" --emit-rules "$work/rules-sendmail.txt" "$sendmail")")
results+=("$(MXGUARD_JAVA_OPTS=-Xmx512m median mxguard-postfix "${analyze[@]}" --emit-rules "$work/rules-postfix.txt" "$postfix")")
results+=("$(measure pflogsumm-postfix pflogsumm "$postfix")")

echo "sendmail log: $(stat -L -c %s "$sendmail") bytes, $(wc -l < "$sendmail") lines; Postfix log: $(stat -L -c %s "$postfix") bytes;" \
  "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| tool, log | seconds | MB/s | CPU seconds | max RSS (MiB) | MB/s vs mxguard on Postfix | MB/s vs pflogsumm |"
echo "|---|---:|---:|---:|---:|---:|---:|"
sm_bytes=$(stat -L -c %s "$sendmail")
pf_bytes=$(stat -L -c %s "$postfix")
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.1f", (s > 0 ? b / 1e6 / s : 0) }'; }
pf_rate=$(printf '%s\n' "${results[@]}" | awk '$1 == "mxguard-postfix" { print $2 }' | xargs -I{} awk -v b="$pf_bytes" -v s={} 'BEGIN { print b / 1e6 / s }')
pl_rate=$(printf '%s\n' "${results[@]}" | awk '$1 == "pflogsumm-postfix" { print $2 }' | xargs -I{} awk -v b="$pf_bytes" -v s={} 'BEGIN { print b / 1e6 / s }')
for r in "${results[@]}"; do
  set -- $r
  bytes=$pf_bytes
  [ "$1" = mxguard-sendmail ] && bytes=$sm_bytes
  awk -v n="$1" -v s="$2" -v k="$3" -v u="$4" -v y="$5" -v b="$bytes" -v pf="$pf_rate" -v pl="$pl_rate" 'BEGIN {
    r = b / 1e6 / s; printf "| %s | %.2f | %.0f | %.2f | %.0f | %.2fx | %.1fx |\n", n, s, r, u + y, k / 1024, r / pf, r / pl }'
done
echo
echo "mxguard on the sendmail log, first lines of its report:"
head -n 2 "$work/mxguard-sendmail.out"
