#!/usr/bin/env bash
# End-to-end benchmark: smtp-source -> relay -> smtp-sink, with mxguard and with a local Postfix relay
# as the relay, in one run on the same machine. A run ends when the relay's queue is empty again, so
# the rate counts messages accepted durably AND delivered. Also runs smtp-source straight into
# smtp-sink (no relay, no disk) as the ceiling.
#
# Usage: bench/relay/run.sh [MESSAGES] [RUNS] [SESSIONS]   (defaults 5000, 3, 10)
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

# Every run gets fresh directories, and nothing is deleted until the end: ext4 makes the allocation
# of new inodes expensive for about 30 s after many files were deleted nearby (recently_deleted()),
# which would charge one run for the clean-up of the run before it. (Each relay still deletes the
# files of the messages it delivered, as in production.)
run_dir=
queue_count_postfix() { find "$run_dir/queue/incoming" "$run_dir/queue/active" "$run_dir/queue/deferred" -type f 2>/dev/null | wc -l; }
# Committed messages are queue/ID.msg (docs/spool-format.md); counting files costs no JVM start per poll.
queue_count_mxguard() { find "$run_dir/spool/queue" -name "*.msg" 2>/dev/null | wc -l; }

wait_empty() { # $1 = function printing the queue size
  for _ in $(seq 1 6000); do
    [ "$($1)" = 0 ] && return 0
    sleep 0.05
  done
  echo "queue did not drain" >&2; return 1
}

start_mxguard() {
  run_dir="$work/mx-$1"
  mxguard_start "$root" "$run_dir" '  routes:
    protected.test: "[127.0.0.1]:'"$sink_port"'"'
}

run_once() { # $1 server, $2 size, $3 run number -> "rate cpu_per_1000"
  local server=$1 size=$2 port pattern counter cpu0 cpu1 t0 t1
  case $server in
    sink) port=$sink_port; pattern="smtp-sink"; counter="" ;;
    postfix)
      run_dir="$work/postfix-$size-$3"
      port=$(free_port)
      postfix_instance_start "$run_dir" "$port" protected.test "[127.0.0.1]:$sink_port"
      pattern="postfix/sbin"; counter=queue_count_postfix ;;
    mxguard)
      start_mxguard "$size-$3"; port=$mx_port; pattern="mxguard.jar serve"; counter=queue_count_mxguard ;;
  esac
  # Warm-up, not measured: the JIT compiles the hot paths over the first few thousand messages
  # (after 1,000, C2 was still compiling through the measured run); a server runs warm. Postfix gets
  # the same warm-up.
  smtp-source -s "$sessions" -m "${WARMUP:-5000}" -l "$size" -f warmup@client.test -t user@protected.test \
    "127.0.0.1:$port" >/dev/null
  [ -n "$counter" ] && wait_empty "$counter"
  cpu0=$(cpu_seconds_of "$pattern")
  t0=$(date +%s.%N)
  smtp-source -s "$sessions" -m "$messages" -l "$size" -f bench@client.test -t user@protected.test \
    "127.0.0.1:$port" >/dev/null
  [ -n "$counter" ] && wait_empty "$counter"
  t1=$(date +%s.%N)
  cpu1=$(cpu_seconds_of "$pattern")
  case $server in
    postfix) postfix_instance_stop "$run_dir" ;;
    mxguard) mxguard_stop ;;
  esac
  echo "$(echo "scale=1; $messages / ($t1 - $t0)" | bc) $(echo "scale=3; ($cpu1 - $cpu0) * 1000 / $messages" | bc)"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf '%-8s %7s %12s %14s\n' relay size "msgs/s" "cpu_s/1000msg"
declare -A rate
for size in $sizes; do
  for server in sink postfix mxguard; do
    rates=(); cpus=()
    for run in $(seq 1 "$runs"); do
      read -r r c < <(run_once "$server" "$size" "$run")
      rates+=("$r"); cpus+=("$c")
    done
    r=$(printf '%s\n' "${rates[@]}" | median); c=$(printf '%s\n' "${cpus[@]}" | median)
    rate[$server-$size]=$r
    printf '%-8s %7s %12s %14s\n' "$server" "$size" "$r" "$c"
  done
done
echo
echo "end to end, $sessions sessions, median of $runs runs of $messages messages:"
for size in $sizes; do
  printf '  %6s B: mxguard/postfix %s\n' "$size" "$(echo "scale=2; ${rate[mxguard-$size]} / ${rate[postfix-$size]}" | bc)"
done
