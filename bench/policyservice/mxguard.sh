# Sourced by run.sh and profile.sh: the build, the load generator and the mxguard under test, so that
# both measure the same server with the same configuration.
# policyservice_compile DIR          PolicyLoad and NullPolicyServer compiled into DIR, once (a single-file
#                                    source run would compile them on every run)
# policyservice_start DIR JAVA_OPTS  `mxguard serve` (bench/lib/mxguard-instance.sh: delivery off, the policy
#                                    service in its default mode, DUNNO) in DIR; sets mx_policy_port and mx_pid
# await_port PORT WHAT
# Needs $root (the checkout) set by the caller.

. "$root/bench/lib/postfix-instance.sh"   # free_port
. "$root/bench/lib/mxguard-instance.sh"
"$root/mxguard" version >/dev/null   # builds the jar if needed
. "$root/scripts/java-home.sh"
mxguard_find_java

policyservice_compile() {
  mkdir -p "$1"
  "$JAVA_HOME/bin/javac" -d "$1" "$root/bench/policyservice/PolicyLoad.java" \
    "$root/bench/policyservice/NullPolicyServer.java"
}

await_port() {
  local port=$1 what=$2
  for _ in $(seq 1 300); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "$what did not start listening on $port" >&2; return 1
}

policyservice_start() {
  local dir=$1
  mx_policy_port=$(free_port)
  MX_JAVA_OPTS=$2 mxguard_start "$root" "$dir" "  enabled: false" "policy-service:
  listen: 127.0.0.1:$mx_policy_port
  primary: primary.test" || return 1
  await_port "$mx_policy_port" "mxguard's policy service" || { cat "$dir/stdout" >&2; return 1; }
}
