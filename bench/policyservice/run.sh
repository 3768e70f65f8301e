#!/usr/bin/env bash
# Policy service benchmark: mxguard's Postfix policy delegation service and postgrey (Debian's
# greylisting policy server, what a user would pick instead), driven by the same load generator
# (PolicyLoad.java: persistent connections, pipelined requests with Postfix 3.7's attributes) in
# one run, alternating, with a control (NullPolicyServer.java: answers DUNNO without reading the
# request, a platform thread per connection: what is left is the machine); then a primary Postfix's accepted mail rate (smtp-source) without and with
# check_policy_service asking mxguard.
#
# Usage: bench/policyservice/run.sh [SECONDS] [RUNS]   (defaults 10 and 3)
#   LOADS="8:1:0 50:1:0 50:8:0 8:1:20000 50:1:20000"   connections:pipeline:rate for the load generator
#     (rate 0: each connection sends as soon as it has its answers; else that many requests/s in
#     all, on a schedule, latency counted from when each was due)
#   MESSAGES=5000 SESSIONS=20 smtp-source's load on the primary Postfix
#   MXGUARD_HEAP=3g mxguard's heap: a run records 5 to 7 million new clients, all kept (7 days)
#   GC_OPTS=  more JVM options for mxguard (for example -XX:+UseZGC)
# Needs: postfix (smtp-source), postgrey, bc, python3, a JDK 25.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/policyservice/mxguard.sh"
seconds=${1:-10}
runs=${2:-3}
loads=${LOADS:-8:1:0 50:1:0 50:8:0 8:1:20000 50:1:20000}
messages=${MESSAGES:-5000}
sessions=${SESSIONS:-20}
work=$(mktemp -d /tmp/mxguard-bench-policyservice.XXXXXX)
chmod 755 "$work"   # Postfix daemons and postgrey run as their own users
mx_pid=; pg_pid=; null_pid=
cleanup() {
  # Every step runs, whatever the one before returned (a killed process's wait returns 143).
  set +e
  [ -d "$work/postfix" ] && postfix_instance_stop "$work/postfix"
  for pid in $mx_pid $pg_pid $null_pid; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT

policyservice_compile "$work/load"
load() { "$JAVA_HOME/bin/java" -cp "$work/load" PolicyLoad "$@"; }

# mxguard: the whole server (as a user runs it), with the policy service in its default mode (DUNNO).
policyservice_start "$work/mx" "-Xmx${MXGUARD_HEAP:-3g} ${GC_OPTS:-}"

# postgrey: Debian's defaults (greylisting, a Berkeley DB in its own directory).
pg_port=$(free_port)
mkdir -p "$work/postgrey"
chown postgrey "$work/postgrey"
postgrey --inet="127.0.0.1:$pg_port" --dbdir="$work/postgrey" --pidfile="$work/postgrey/pid" \
  --hostname=bench.test > "$work/postgrey/stdout" 2>&1 &
pg_pid=$!
await_port "$pg_port" postgrey || { cat "$work/postgrey/stdout" >&2; exit 1; }

null_port=$(free_port)
"$JAVA_HOME/bin/java" -cp "$work/load" NullPolicyServer "$null_port" &
null_pid=$!
await_port "$null_port" "the null policy server"

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "# policy requests on persistent connections, ${seconds}s per run, median of $runs runs (alternating)"
printf '%-9s %5s %5s %6s %10s %8s %8s %9s  %s\n' server conns pipe target "req/s" p50_us p99_us p999_us runs
for spec in $loads; do
  IFS=: read -r conns pipe target <<< "$spec"
  # Warm-up: the JIT compiles the hot paths; postgrey gets the same, and fills its database.
  load --port "$mx_policy_port" --connections "$conns" --pipeline "$pipe" --seconds 5 --warmup 0 >/dev/null
  load --port "$pg_port" --connections "$conns" --pipeline "$pipe" --seconds 5 --warmup 0 >/dev/null
  load --port "$null_port" --connections "$conns" --pipeline "$pipe" --seconds 5 --warmup 0 >/dev/null
  declare -a mx_lines=() pg_lines=() null_lines=()
  for run in $(seq 1 "$runs"); do
    mx_lines+=("$(load --port "$mx_policy_port" --connections "$conns" --pipeline "$pipe" --rate "$target" --seconds "$seconds" --warmup 1)")
    pg_lines+=("$(load --port "$pg_port" --connections "$conns" --pipeline "$pipe" --rate "$target" --seconds "$seconds" --warmup 1)")
    null_lines+=("$(load --port "$null_port" --connections "$conns" --pipeline "$pipe" --rate "$target" --seconds "$seconds" --warmup 1)")
  done
  for server in mxguard postgrey control; do
    case $server in
      mxguard) lines=("${mx_lines[@]}") ;;
      postgrey) lines=("${pg_lines[@]}") ;;
      control) lines=("${null_lines[@]}") ;;
    esac
    rates=$(printf '%s\n' "${lines[@]}" | field rate)
    r=$(echo "$rates" | median)
    line=$(printf '%s\n' "${lines[@]}" | grep "rate=$r " | head -1)
    printf '%-9s %5s %5s %6s %10s %8s %8s %9s  %s\n' $server "$conns" "$pipe" "$target" "$r" \
      "$(echo "$line" | field p50_us)" "$(echo "$line" | field p99_us)" "$(echo "$line" | field p999_us)" \
      "$(echo $rates | tr '\n' ' ')"
    eval "rate_${server}=$r"
    echo "  $server: $line" >> "$work/detail"
  done
  printf '%-9s %5s %5s %6s %9sx\n' ratio "$conns" "$pipe" "$target" \
    "$(echo "scale=1; $rate_mxguard / $rate_postgrey" | bc)"
done
cat "$work/detail"

# The primary Postfix's accepted mail rate, without and with check_policy_service asking mxguard
# (as docs/policy-service.md configures it). Postfix keeps every message in its queue (defer).
pf_port=$(free_port)
postfix_instance_start "$work/postfix" "$pf_port" example.org defer
without="permit_mynetworks, reject_unauth_destination"
with="check_policy_service { inet:127.0.0.1:$mx_policy_port, timeout=5s, try_limit=1, default_action=DUNNO }, $without"
configure() {
  postconf -c "$work/postfix/etc" -e "smtpd_recipient_restrictions=$1"
  postfix -c "$work/postfix/etc" reload >/dev/null 2>&1
  # The reload is done when a new smtpd answers with the new settings: wait for master to settle.
  sleep 1
}
send() { smtp-source -s "$sessions" -m "$1" -f bench@client.test -t user@example.org "127.0.0.1:$pf_port" >/dev/null; }
measure() {
  local t0 t1
  t0=$(date +%s.%N); send "$messages"; t1=$(date +%s.%N)
  echo "scale=1; $messages / ($t1 - $t0)" | bc
}
configure "$with"; send 2000    # warm-up of both sides
declare -a off=() on=()
for run in $(seq 1 "$runs"); do
  configure "$without"; off+=("$(measure)")
  configure "$with"; on+=("$(measure)")
done
r_off=$(printf '%s\n' "${off[@]}" | median); r_on=$(printf '%s\n' "${on[@]}" | median)
echo
echo "# primary Postfix (smtp-source -s $sessions -m $messages), accepted messages/s, median of $runs runs"
printf 'without policy service %8s   runs: %s\n' "$r_off" "${off[*]}"
printf 'with mxguard           %8s   runs: %s\n' "$r_on" "${on[*]}"
printf 'with/without           %8s\n' "$(echo "scale=3; $r_on / $r_off" | bc)"
echo "primary's warnings about the policy service (want none):"
grep 'warning:.*127.0.0.1:'"$mx_policy_port" "$work/postfix/maillog" | sed 's/^/  /' || echo "  none"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
