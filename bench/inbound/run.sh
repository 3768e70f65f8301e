#!/usr/bin/env bash
# Inbound benchmark: Postfix's smtp-source against mxguard and against a local Postfix relay set up
# here, in one run, on the same machine. Both keep every accepted message durably in their queue
# and deliver nothing (Postfix: defer_transports; mxguard: delivery.enabled=false).
#
# Usage: bench/inbound/run.sh [MESSAGES] [RUNS]   (defaults 5000 and 3; WARMUP=8000, SIZES="1024 51200", SESSIONS="1 10 50")
# Prints one line per (server, size, sessions): median accepted messages/s and CPU seconds per 1000
# messages, then the ratios. Needs: postfix (smtp-source), bc, python3, a JDK 25.
#
# COMPARE=mx-skip compares mxguard with itself instead: the MX-skip rule off (in the "postfix"
# column) against the rule in enforce mode, where every RCPT runs the whole rule (no primary contact
# is known, so it looks up contact and credit: the client earned retry credit before the warm-up).
#
# COMPARE=redis compares the evidence stores: both servers run the rule in enforce mode (client with
# earned credit, as above), one on the embedded store (column embedded), the other on the fleet's
# Redis store (column mxguard) with a redis-server this script starts on a free loopback port.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib/postfix-instance.sh"
. "$root/bench/lib/mxguard-instance.sh"
messages=${1:-5000}
runs=${2:-3}
sizes=${SIZES:-1024 51200}
session_counts=${SESSIONS:-1 10 50}
work=$(mktemp -d /tmp/mxguard-bench-inbound.XXXXXX)
chmod 755 "$work"   # Postfix daemons run as user postfix
trap 'for d in "$work"/postfix-*; do [ -d "$d" ] && postfix_instance_stop "$d"; done; [ -n "${mx_pid:-}" ] && kill "$mx_pid" 2>/dev/null; [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null; rm -rf "$work"' EXIT

"$root/mxguard" version >/dev/null   # builds the jar if needed

# Every run gets fresh directories, and nothing is deleted until the end: ext4 makes the allocation
# of new inodes expensive for about 30 s after many files were deleted nearby (recently_deleted()),
# which would charge one run for the clean-up of the run before it.
start_mxguard() {
  mxguard_start "$root" "$work/mx-$1" '  enabled: false' "${2:-}"
}

compare=${COMPARE:-postfix}
mx_skip_off=$'mx-skip:\n  mode: off'
mx_skip_on=$'mx-skip:\n  mode: enforce\n  retry-interval: 1s'
base_name=postfix
if [ "$compare" = mx-skip ]; then
  base_name=rule-off
  echo "mxguard with the MX-skip rule off (column rule-off) and in enforce mode (column mxguard)"
elif [ "$compare" = redis ]; then
  base_name=embedded
  echo "mxguard in enforce mode on the embedded store (column embedded) and on Redis (column mxguard)"
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
      --logfile "$work/redis.log" &
  redis_pid=$!
  for _ in $(seq 1 100); do
    [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  mx_skip_redis="$mx_skip_on"$'\nevidence:\n  store: redis\n  redis:\n    addresses: [ "redis://127.0.0.1:'"$redis_port"$'" ]'
fi

# earn_credit PORT: one refused message, and the same again after the retry interval (1 s) earns credit
earn_credit() {
  smtp-source -s 1 -m 1 -l 100 -f bench@client.test -t user@protected.test "127.0.0.1:$1" >/dev/null 2>&1 || true
  sleep 1.2
  smtp-source -s 1 -m 1 -l 100 -f bench@client.test -t user@protected.test "127.0.0.1:$1" >/dev/null
}


# send PORT SIZE SESSIONS COUNT: smtp-source's messages, replies not kept
send() {
  smtp-source -s "$3" -m "$4" -l "$2" -f bench@client.test -t user@protected.test "127.0.0.1:$1" >/dev/null
}

# measure PORT CPU_PATTERN SIZE SESSIONS -> "rate cpu_per_1000"
measure() {
  local port=$1 pattern=$2 size=$3 sessions=$4
  local cpu0 cpu1 t0 t1
  cpu0=$(cpu_seconds_of "$pattern")
  t0=$(date +%s.%N)
  send "$port" "$size" "$sessions" "$messages"
  t1=$(date +%s.%N)
  cpu1=$(cpu_seconds_of "$pattern")
  echo "$(echo "scale=1; $messages / ($t1 - $t0)" | bc) $(echo "scale=3; ($cpu1 - $cpu0) * 1000 / $messages" | bc)"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %7s %8s %12s %14s\n' server size sessions "msgs/s" "cpu_s/1000msg"
declare -A rate
for size in $sizes; do
  for sessions in $session_counts; do
    # Both servers run side by side for this size and session count: each is warmed up once, then
    # the measured runs alternate between them, so a change in the machine's load hits both alike.
    # Warm-up: the JIT compiles the hot paths over the first thousands of messages (with 1,000,
    # C2 was still compiling through the measured run, doubling the CPU per message); a server runs
    # warm. Postfix gets the same warm-up.
    pf_dir="$work/postfix-$size-$sessions"
    if [ "$compare" = mx-skip ] || [ "$compare" = redis ]; then
      if [ "$compare" = mx-skip ]; then
        start_mxguard "off-$size-$sessions" "$mx_skip_off"
      else
        start_mxguard "off-$size-$sessions" "$mx_skip_on"
        earn_credit "$mx_port"
        # Each size and session count starts from an empty fleet: the credit above is this host's.
        redis-cli -p "$redis_port" flushall >/dev/null
      fi
      pf_port=$mx_port; base_pid=$mx_pid; mx_pid=
      start_mxguard "$size-$sessions" "${mx_skip_redis:-$mx_skip_on}"
      earn_credit "$mx_port"
      base_pattern="mx-off-$size-$sessions/mxguard.yaml"
    else
      pf_port=$(free_port)
      postfix_instance_start "$pf_dir" "$pf_port" protected.test defer
      start_mxguard "$size-$sessions"
      base_pattern="$pf_dir/etc|postfix/sbin"
    fi
    send "$pf_port" "$size" "$sessions" "${WARMUP:-8000}"
    send "$mx_port" "$size" "$sessions" "${WARMUP:-8000}"
    declare -a pf_rates=() pf_cpus=() mx_rates=() mx_cpus=()
    for run in $(seq 1 "$runs"); do
      read -r r c < <(measure "$pf_port" "$base_pattern" "$size" "$sessions")
      pf_rates+=("$r"); pf_cpus+=("$c")
      read -r r c < <(measure "$mx_port" "mx-$size-$sessions/mxguard.yaml" "$size" "$sessions")
      mx_rates+=("$r"); mx_cpus+=("$c")
    done
    if [ "$compare" = mx-skip ] || [ "$compare" = redis ]; then
      kill "$base_pid" 2>/dev/null || true; wait "$base_pid" 2>/dev/null || true
    else
      postfix_instance_stop "$pf_dir"
    fi
    mxguard_stop
    r=$(printf '%s\n' "${pf_rates[@]}" | median); c=$(printf '%s\n' "${pf_cpus[@]}" | median)
    rate[postfix-$size-$sessions]=$r
    printf '%-8s %7s %8s %12s %14s   runs: %s\n' "$base_name" "$size" "$sessions" "$r" "$c" "${pf_rates[*]}"
    r=$(printf '%s\n' "${mx_rates[@]}" | median); c=$(printf '%s\n' "${mx_cpus[@]}" | median)
    rate[mxguard-$size-$sessions]=$r
    printf '%-8s %7s %8s %12s %14s   runs: %s\n' mxguard "$size" "$sessions" "$r" "$c" "${mx_rates[*]}"
  done
done
echo
echo "ratio mxguard/$base_name (accepted msgs/s, median of $runs runs, $messages messages each):"
for size in $sizes; do
  for sessions in $session_counts; do
    printf '  %6s B, %2s sessions: %s\n' "$size" "$sessions" \
      "$(echo "scale=2; ${rate[mxguard-$size-$sessions]} / ${rate[postfix-$size-$sessions]}" | bc)"
  done
done
