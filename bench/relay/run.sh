#!/usr/bin/env bash
# End-to-end benchmark: smtp-source -> relay -> smtp-sink, with mxguard and with a local Postfix relay
# as the relay, in one run on the same machine. A run ends when the relay's queue is empty again, so
# the rate counts messages accepted durably AND delivered. Also runs smtp-source straight into
# smtp-sink (no relay, no disk) as the ceiling.
#
# Usage: bench/relay/run.sh [MESSAGES] [RUNS] [SESSIONS]   (defaults 5000, 3, 10; WARMUP=12000, SIZES="1024 51200")
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib/postfix-instance.sh"
. "$root/bench/lib/mxguard-instance.sh"
messages=${1:-5000}
runs=${2:-3}
sessions=${3:-10}
sizes=${SIZES:-1024 51200}
work=$(mktemp -d /tmp/mxguard-bench-relay.XXXXXX)
chmod 755 "$work"   # Postfix daemons run as user postfix
sink_pid=
mx_pid=
cleanup() {
  for d in "$work"/postfix-*; do [ -d "$d" ] && postfix_instance_stop "$d"; done
  [ -n "$mx_pid" ] && kill "$mx_pid" 2>/dev/null
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
"$root/mxguard" version >/dev/null

sink_port=$(free_port)
smtp-sink -u nobody -m 200 "127.0.0.1:$sink_port" 256 &
sink_pid=$!
sleep 0.5

# Every size gets fresh directories, and nothing is deleted until the end: ext4 makes the
# allocation of new inodes expensive for about 30 s after many files were deleted nearby
# (recently_deleted()), which would charge one run for the clean-up of the run before it. (Each
# relay still deletes the files of the messages it delivered, as in production.)
pf_dir=
mx_dir=

wait_empty() { # $1 = function printing the queue size
  for _ in $(seq 1 6000); do
    [ "$($1)" = 0 ] && return 0
    sleep 0.05
  done
  echo "queue did not drain" >&2; return 1
}

start_mxguard() {
  mx_dir="$work/mx-$1"
  mxguard_start "$root" "$mx_dir" '  routes:
    protected.test: "[127.0.0.1]:'"$sink_port"'"'
}
queue_count_postfix() { find "$pf_dir/queue/incoming" "$pf_dir/queue/active" "$pf_dir/queue/deferred" -type f 2>/dev/null | wc -l; }
# Committed messages are queue/ID.msg (docs/spool-format.md); counting files costs no JVM start per poll.
queue_count_mxguard() { find "$mx_dir/spool/queue" -name "*.msg" 2>/dev/null | wc -l; }
queue_count_sink() { echo 0; }

# send PORT SIZE COUNT, then wait until the relay's queue is empty
send() {
  smtp-source -s "$sessions" -m "$3" -l "$2" -f bench@client.test -t user@protected.test "127.0.0.1:$1" >/dev/null
}

# measure PORT SIZE CPU_PATTERN QUEUE_COUNTER -> "rate cpu_per_1000"
measure() {
  local port=$1 size=$2 pattern=$3 counter=$4 cpu0 cpu1 t0 t1
  cpu0=$(cpu_seconds_of "$pattern")
  t0=$(date +%s.%N)
  send "$port" "$size" "$messages"
  wait_empty "$counter"
  t1=$(date +%s.%N)
  cpu1=$(cpu_seconds_of "$pattern")
  echo "$(echo "scale=1; $messages / ($t1 - $t0)" | bc) $(echo "scale=3; ($cpu1 - $cpu0) * 1000 / $messages" | bc)"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %7s %12s %14s\n' relay size "msgs/s" "cpu_s/1000msg"
declare -A rate
for size in $sizes; do
  # Both relays run side by side for this size: each is warmed up once, then the measured runs
  # alternate between sink, Postfix and mxguard, so a change in the machine's load hits all alike.
  # Warm-up: the JIT compiles the hot paths over the first thousands of messages (with 1,000, C2
  # was still compiling through the measured run); a server runs warm. Postfix gets the same.
  pf_dir="$work/postfix-$size"
  pf_port=$(free_port)
  postfix_instance_start "$pf_dir" "$pf_port" protected.test "[127.0.0.1]:$sink_port"
  start_mxguard "$size"
  for port_counter in "$pf_port queue_count_postfix" "$mx_port queue_count_mxguard"; do
    read -r port counter <<<"$port_counter"
    send "$port" "$size" "${WARMUP:-12000}"
    wait_empty "$counter"
  done
  declare -A runs_of=()
  for run in $(seq 1 "$runs"); do
    for server in sink postfix mxguard; do
      case $server in
        sink) args=("$sink_port" "$size" "smtp-sink" queue_count_sink) ;;
        postfix) args=("$pf_port" "$size" "$pf_dir/etc|postfix/sbin" queue_count_postfix) ;;
        mxguard) args=("$mx_port" "$size" "mxguard.jar serve" queue_count_mxguard) ;;
      esac
      read -r r c < <(measure "${args[@]}")
      runs_of[$server]="${runs_of[$server]:-} $r"
      runs_of[$server-cpu]="${runs_of[$server-cpu]:-} $c"
    done
  done
  postfix_instance_stop "$pf_dir"
  mxguard_stop
  for server in sink postfix mxguard; do
    r=$(printf '%s\n' ${runs_of[$server]} | median); c=$(printf '%s\n' ${runs_of[$server-cpu]} | median)
    rate[$server-$size]=$r
    printf '%-8s %7s %12s %14s   runs:%s\n' "$server" "$size" "$r" "$c" "${runs_of[$server]}"
  done
done
echo
echo "end to end, $sessions sessions, median of $runs runs of $messages messages:"
for size in $sizes; do
  printf '  %6s B: mxguard/postfix %s\n' "$size" "$(echo "scale=2; ${rate[mxguard-$size]} / ${rate[postfix-$size]}" | bc)"
done
