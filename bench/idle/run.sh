#!/usr/bin/env bash
# Idle sessions: opens N concurrent SMTP sessions to mxguard (each reads the greeting and says EHLO,
# then stays idle), and reports the server's resident memory with them all open.
# Usage: bench/idle/run.sh [SESSIONS]     (default 10000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/bench/lib/postfix-instance.sh"
. "$root/bench/lib/mxguard-instance.sh"
sessions=${1:-10000}
want=$((sessions + 1000)); hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then want=$hard; fi
ulimit -n "$want"
work=$(mktemp -d /tmp/mxguard-bench-idle.XXXXXX)
trap 'mxguard_stop; rm -rf "$work"' EXIT
"$root/mxguard" version >/dev/null

mxguard_start "$root" "$work/mx" '  enabled: false'
# The session limits must allow them all: rewrite the config and restart.
mxguard_stop
sed -i "s/  max-connections-per-client: 0/  max-connections-per-client: 0\n  max-connections: $((sessions + 100))/" "$work/mx/mxguard.yaml"
MXGUARD_JAVA_OPTS="-Xmx1g" "$root/mxguard" serve --config "$work/mx/mxguard.yaml" > "$work/mx/stdout" 2>&1 &
mx_pid=$!
for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/$mx_port) 2>/dev/null && break; sleep 0.1; done
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$(pgrep -f "mxguard.jar serve --config $work" | head -1)/status")

ready="$work/ready"
READY="$ready" HOLD=15 python3 - "$mx_port" "$sessions" > "$work/client.out" 2>&1 <<'PY' &
import socket, sys, time, os
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    socks.append(s)
for s in socks:
    s.settimeout(30)
    buf = b""
    while not buf.endswith(b"\r\n"):
        buf += s.recv(512)
    assert buf.startswith(b"220"), buf
    s.sendall(b"EHLO idle.test\r\n")
ok = 0
for s in socks:
    buf = b""
    while b"\r\n250 " not in b"\r\n" + buf:
        buf += s.recv(4096)
    ok += 1
print(f"{ok} sessions open and idle after EHLO", flush=True)
# Signal the shell, then hold the sessions until it has read the memory.
open(os.environ.get("READY", "/dev/null"), "w").write("ready")
time.sleep(float(os.environ.get("HOLD", "5")))
PY
client=$!
for _ in $(seq 1 1200); do [ -s "$ready" ] && break; kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
cat "$work/client.out"
pid=$(pgrep -f "mxguard.jar serve --config $work" | head -1)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
threads=$(ls "/proc/$pid/task" | wc -l)
established=$(ss -Htn state established "( sport = :$mx_port )" | wc -l)
echo "mxguard: $established established sessions, RSS $((rss / 1024)) MB (idle server before: $((rss_before / 1024)) MB), $threads OS threads"
wait "$client" || true
