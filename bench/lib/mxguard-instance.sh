# Sourced by the benchmark scripts: an mxguard server on a loopback port, built from this checkout.
# mxguard_start ROOT DIR DELIVERY_YAML [EXTRA_YAML]  -> sets mx_port and mx_pid
#   DELIVERY_YAML: the lines of the delivery: section, indented by two spaces
#   EXTRA_YAML: more top-level sections (for example mx-skip:), default none
#   MX_JAVA_OPTS: the server's JVM options, default "-Xmx1g $GC_OPTS"
# mxguard_stop

mxguard_start() {
  local root=$1 dir=$2 delivery=$3 extra=${4:-}
  mx_port=$(free_port)
  rm -rf "$dir"; mkdir -p "$dir"
  cat > "$dir/mxguard.yaml" <<CONF
hostname: bench-mxguard.test
protected-domains: [protected.test]
smtp:
  listen: [ "127.0.0.1:$mx_port" ]
  max-connections-per-client: 0
spool:
  directory: $dir/spool
log:
  file: $dir/mail.log
dns:
  client-name-lookup: false
delivery:
$delivery
$extra
CONF
  MXGUARD_JAVA_OPTS="${MX_JAVA_OPTS:--Xmx1g ${GC_OPTS:-}}" "$root/mxguard" serve --config "$dir/mxguard.yaml" > "$dir/stdout" 2>&1 &
  mx_pid=$!
  for _ in $(seq 1 200); do
    (exec 3<>/dev/tcp/127.0.0.1/$mx_port) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mxguard did not start" >&2; cat "$dir/stdout" >&2; return 1
}

mxguard_stop() {
  [ -n "${mx_pid:-}" ] || return 0
  kill "$mx_pid" 2>/dev/null || true
  wait "$mx_pid" 2>/dev/null || true
  mx_pid=
}
