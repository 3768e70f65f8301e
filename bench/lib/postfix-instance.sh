# Sourced by the benchmark scripts: a private Postfix instance on a loopback port, for side-by-side runs.
# postfix_instance_start DIR PORT RELAY_DOMAIN NEXTHOP
#   NEXTHOP "defer": accept and keep everything in the queue (inbound benchmark)
#   NEXTHOP "[127.0.0.1]:PORT": relay everything there (end-to-end benchmark)
# postfix_instance_stop DIR

postfix_instance_start() {
  local dir=$1 port=$2 domain=$3 nexthop=$4
  mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cp /usr/share/postfix/main.cf.dist "$dir/etc/main.cf" 2>/dev/null || : > "$dir/etc/main.cf"
  cp /usr/share/postfix/master.cf.dist "$dir/etc/master.cf" 2>/dev/null || cp /etc/postfix/master.cf "$dir/etc/master.cf"
  # Only the smtpd on our port and the daemons a relay needs; no local delivery, no pickup from maildrop noise.
  cat > "$dir/etc/master.cf" <<MASTER
127.0.0.1:$port inet n - n - - smtpd
pickup    unix n - n 60 1 pickup
cleanup   unix n - n - 0 cleanup
qmgr      unix n - n 300 1 qmgr
rewrite   unix - - n - - trivial-rewrite
bounce    unix - - n - 0 bounce
defer     unix - - n - 0 bounce
trace     unix - - n - 0 bounce
verify    unix - - n - 1 verify
flush     unix n - n 1000? 0 flush
proxymap  unix - - n - - proxymap
smtp      unix - - n - - smtp
relay     unix - - n - - smtp
showq     unix n - n - - showq
error     unix - - n - - error
retry     unix - - n - - error
discard   unix - - n - - discard
anvil     unix - - n - 1 anvil
scache    unix - - n - 1 scache
postlog   unix-dgram n - n - 1 postlogd
MASTER
  local transport
  if [ "$nexthop" = defer ]; then
    transport="defer_transports = relay smtp"
  else
    transport="relay_transport = relay:$nexthop"
  fi
  cat > "$dir/etc/main.cf" <<MAIN
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = bench-postfix.test
mydestination =
mynetworks = 127.0.0.0/8
relay_domains = $domain
$transport
inet_interfaces = loopback-only
inet_protocols = ipv4
smtpd_client_restrictions =
smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
default_process_limit = 100
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
smtpd_client_message_rate_limit = 0
smtp_connection_cache_on_demand = yes
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
alias_maps =
alias_database =
local_recipient_maps =
biff = no
smtputf8_enable = no
MAIN
  postfix -c "$dir/etc" check >/dev/null 2>&1 || true
  postfix -c "$dir/etc" start >/dev/null 2>&1
  local i
  for i in $(seq 1 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "postfix instance in $dir did not start listening on $port" >&2
  tail -20 "$dir/maillog" >&2 2>/dev/null
  return 1
}

postfix_instance_stop() {
  local dir=$1
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  postfix -c "$dir/etc" abort >/dev/null 2>&1 || true
}

# User+system CPU seconds of the processes whose command line matches $1, with their reaped children
# (Postfix daemons that exited count in their master).
cpu_seconds_of() {
  local pattern=$1 total=0 pid t
  for pid in $(pgrep -f "$pattern"); do
    t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + t))
  done
  echo "scale=2; $total / $(getconf CLK_TCK)" | bc
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
