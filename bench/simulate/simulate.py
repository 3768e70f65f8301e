#!/usr/bin/env python3
"""The MX-skip simulation: a real Postfix as the primary MX reporting to mxguard's policy service,
mxguard as the backup MX in enforce mode, legitimate MTAs (real Postfix and scripted) and EMS-style
spamware, all on loopback, time-compressed, through three phases: primary up, primary down, and a
partition between some senders and the primary. Prints a table per phase (see docs/EVALUATION.md)."""
import argparse
import json
import math
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dnsq  # noqa: E402
import report  # noqa: E402
from postfix import Postfix  # noqa: E402
from senders import EmsSpammer, Journal, PostfixInjector, ScriptedMta  # noqa: E402
from sink import Sink  # noqa: E402
from world import (BACKUP, BACKUP2, EMS_NETWORKS, LEGIT, PRIMARY, SINK, dnsmasq_lines)  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port(addresses, udp=False):
    while True:
        with socket.socket() as probe:
            probe.bind((addresses[0], 0))
            port = probe.getsockname()[1]
        try:
            held = []
            for a in addresses:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if udp else socket.SOCK_STREAM)
                held.append(s)
                s.bind((a, port))
            if udp:
                t = socket.socket()
                held.append(t)
                t.bind((addresses[0], port))
            return port
        except OSError:
            continue
        finally:
            for s in held:
                s.close()


class Sim:
    """The simulated clock and the phases. minute: real seconds per simulated minute."""

    def __init__(self, settings):
        self.settings = settings
        self.minute = settings.minute
        self.smtp_port = None
        self.t0 = None
        self.bounds = {}
        self._phase = None
        self._finished = False

    def minutes(self, m):
        return m * self.minute

    def duration(self, m):
        """A simulated duration for mxguard's configuration, in milliseconds."""
        return "%dms" % round(m * self.minute * 1000)

    def postfix_seconds(self, m):
        return "%ds" % max(1, round(m * self.minute))

    def phase(self):
        return self._phase

    def enter(self, name):
        now = time.time()
        if self._phase:
            self.bounds[self._phase] = (self.bounds[self._phase][0], now)
        self._phase = name
        if name:
            self.bounds[name] = (now, None)

    def finished_sending(self):
        return self._finished

    def sleep_until(self, sim_minute):
        delay = self.t0 + sim_minute * self.minute - time.time()
        if delay > 0:
            time.sleep(delay)


def mxguard_config(work, sim, dns_port, policy_port, settings, name="mxguard", host="mx2", backup=BACKUP,
                   redis_port=None):
    """One backup's configuration. With redis_port, a host of a fleet sharing that Redis; only the
    first (mx2) runs the policy service the primary reports to: the other learns through Redis."""
    m = settings
    text = """\
hostname: {host}.protected.test
protected-domains: [protected.test]
smtp:
  listen: [ "{backup}:{smtp}" ]
  max-connections-per-client: 0
spool:
  directory: {work}/{name}/spool
log:
  file: {work}/{name}/mail.log
dns:
  servers: [ "127.0.0.1:{dns}" ]
  timeout: 2s
delivery:
  routes:
    protected.test: "[{primary}]:{smtp}"
  min-backoff: {min_backoff}
  max-backoff: {max_backoff}
  probe-interval: {probe}
policy-service:
  listen: "{backup}:{policy}"
  primary: mx1.protected.test
primary:
  probe:
    interval: {probe_interval}
    timeout: {probe_timeout}
mx-skip:
  mode: {mode}
  window: {window}
  retry-interval: {retry}
  credit-lifetime: {credit}
  allow: [ "127.1.0.0/24" ]
  blocks:
    expiry: {expiry}
""".format(backup=backup, host=host, name=name, primary=PRIMARY, smtp=sim.smtp_port, work=work, dns=dns_port,
           policy=policy_port,
           min_backoff=sim.duration(5), max_backoff=sim.duration(4000 / 60), probe=sim.duration(5),
           window=sim.duration(24 * 60), retry=sim.duration(m.retry_minutes), credit=sim.duration(7 * 24 * 60),
           expiry=sim.duration(7 * 24 * 60), mode=m.mode, probe_interval=sim.duration(1),
           probe_timeout=sim.duration(10 / 60))
    if m.plain:
        text = text[:text.index("policy-service:")]
    elif host != "mx2":
        text = text[:text.index("policy-service:")] + text[text.index("primary:\n  probe:"):]
    if redis_port:
        text += """\
evidence:
  store: redis
  redis:
    addresses: [ "redis://127.0.0.1:{port}" ]
    key-prefix: "sim:"
""".format(port=redis_port)
    return text


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--minute", type=float, default=3.0, help="real seconds per simulated minute (default 3)")
    p.add_argument("--up", type=float, default=20, help="simulated minutes with the primary up (default 20)")
    p.add_argument("--down", type=float, default=15, help="simulated minutes with the primary down (default 15)")
    p.add_argument("--partition", type=float, default=15, help="simulated minutes of the partition phase (default 15)")
    p.add_argument("--warmup", type=float, default=5, help="simulated minutes not counted for spam (default 5)")
    p.add_argument("--drain", type=float, default=30, help="longest simulated wait for queues to empty (default 30)")
    p.add_argument("--scale", type=float, default=1.0, help="multiplies every sender's message rate (default 1)")
    p.add_argument("--retry-minutes", dest="retry_minutes", type=float, default=5,
                   help="mxguard's mx-skip retry-interval, simulated minutes (default 5, the product's default)")
    p.add_argument("--short", action="store_true",
                   help="the CI version: --minute 1.5 --up 10 --down 8 --partition 10 --warmup 3 --drain 15")
    p.add_argument("--mode", choices=("enforce", "observe", "off"), default="enforce",
                   help="mxguard's mx-skip mode (default enforce)")
    p.add_argument("--plain", action="store_true",
                   help="mxguard as a plain backup MX: no policy service, no mx-skip section (the baseline)")
    p.add_argument("--fleet", action="store_true",
                   help="two backups (mx2, mx3) sharing one redis-server (evidence.store: redis); the primary "
                        "reports to mx2 only, the spamware picks either backup")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--workdir", help="keep everything in this directory (default: a temporary one, deleted)")
    p.add_argument("--mxguard", default=os.environ.get("MXGUARD_CMD", os.path.join(ROOT, "mxguard")),
                   help="the command that runs mxguard (default ./mxguard, or $MXGUARD_CMD)")
    s = p.parse_args()
    if s.short:
        s.minute, s.up, s.down, s.partition, s.warmup, s.drain = 1.5, 10, 8, 10, 3, 15
    # Legitimate MTAs retry on the product's and Postfix's default 5 minutes.
    s.sender_retry_minutes = max(5.0, s.retry_minutes)
    if os.geteuid() != 0:
        sys.exit("simulate: Postfix instances need root (they run as user postfix, like a system's)")
    for tool in ("postfix", "dnsmasq") + (("redis-server",) if s.fleet else ()):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            sys.exit("simulate: %s is not installed (scripts/packages.sh lists the peers)" % tool)

    work = s.workdir or tempfile.mkdtemp(prefix="mxguard-simulate.")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)
    sim = Sim(s)
    procs, postfixes = [], []
    sink = None
    try:
        result = run(s, sim, work, procs, postfixes)
        sink = result.pop("_sink", None)
    finally:
        for pf in postfixes:
            pf.stop()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if sink:
            sink.close()
        if not s.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(report.table(result))
    if s.json:
        with open(s.json, "w") as f:
            json.dump(result, f, indent=1)
    return 0


def run(s, sim, work, procs, postfixes):
    journal = Journal()
    backups = [BACKUP, BACKUP2] if s.fleet else [BACKUP]
    sim.smtp_port = free_port([PRIMARY] + backups)
    dead_port = free_port([PRIMARY])
    dns_port = free_port(["127.0.0.1"], udp=True)
    policy_port = free_port([BACKUP])

    # DNS: MX, A and PTR records of everyone.
    conf = os.path.join(work, "dnsmasq.conf")
    with open(conf, "w") as f:
        f.write("\n".join(dnsmasq_lines(s.fleet)) + "\n")
    procs.append(subprocess.Popen(["dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--port=%d" % dns_port,
                                   "--listen-address=127.0.0.1", "--bind-interfaces", "--conf-file=" + conf],
                                  stdout=open(os.path.join(work, "dnsmasq.out"), "w"), stderr=subprocess.STDOUT))
    dns = ("127.0.0.1", dns_port)
    await_true(lambda: dnsq.mx_addresses(dns, "protected.test") == [PRIMARY] + backups, 15, "dnsmasq")

    sink = Sink((SINK, 0), os.path.join(work, "sink.jsonl"))

    # The fleet's Redis, without persistence, on a loopback port.
    redis_port = None
    if s.fleet:
        redis_port = free_port(["127.0.0.1"])
        procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no", "--dir", work],
                                      stdout=open(os.path.join(work, "redis.out"), "w"), stderr=subprocess.STDOUT))
        await_true(lambda: connects(("127.0.0.1", redis_port)), 15, "redis-server")

    # The backups: mxguard (two of them sharing Redis with --fleet).
    command = shlex.split(s.mxguard)
    instances = [("mxguard", "mx2", BACKUP)] + ([("mxguard3", "mx3", BACKUP2)] if s.fleet else [])
    outs = []
    for name, host, address in instances:
        os.makedirs(os.path.join(work, name), exist_ok=True)
        config = os.path.join(work, name, "mxguard.yaml")
        with open(config, "w") as f:
            f.write(mxguard_config(work, sim, dns_port, policy_port, s, name, host, address, redis_port))
        out = open(os.path.join(work, name, "stdout"), "w")
        outs.append(out)
        procs.append(subprocess.Popen(command + ["serve", "--config", config], stdout=out, stderr=subprocess.STDOUT))
    for name, host, address in instances:
        await_true(lambda: connects((address, sim.smtp_port))
                   and (s.plain or host != "mx2" or connects((BACKUP, policy_port))), 120, name,
                   lambda: open(os.path.join(work, name, "stdout")).read()[-3000:])

    # The primary: Postfix asking mxguard's policy service about every client, relaying to the sink.
    primary = Postfix(os.path.join(work, "primary"), "primary", (PRIMARY, sim.smtp_port), {
        "myhostname": "mx1.protected.test",
        "mynetworks": "127.1.0.0/24",
        "relay_domains": "protected.test",
        "relay_transport": "relay:[%s]:%d" % (SINK, sink.port),
        "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
        "smtpd_recipient_restrictions": "check_policy_service inet:%s:%d, reject_unauth_destination"
                                        % (BACKUP, policy_port),
        # A dead mxguard must never stop the primary's mail (docs/policy-service.md).
        "smtpd_policy_service_default_action": "DUNNO",
    })
    postfixes.append(primary)
    primary.start()

    # The legitimate senders.
    partitioned = threading.Event()
    active = []
    for who in LEGIT:
        rate = who.rate * s.scale
        if who.kind == "postfix":
            relayhost = "[%s]:%d" % (PRIMARY, dead_port if who.partitioned else sim.smtp_port)
            pf = Postfix(os.path.join(work, who.name), who.name, (who.ip, free_port([who.ip])), {
                "myhostname": who.ptr,
                "mynetworks": "127.0.0.0/8",
                "relayhost": relayhost,
                "smtp_fallback_relay": ", ".join("[%s]:%d" % (b, sim.smtp_port) for b in backups),
                "smtpd_relay_restrictions": "permit_mynetworks, reject",
                # Time-compressed: Postfix's default backoff (300 s .. 4000 s), a short queue scan. Postfix
                # counts whole seconds (a deferred message may come back up to 1 s early): 0.3 % of 300 s,
                # but 13 % of a compressed 7.5 s, so the compressed backoff gets that second back.
                "minimal_backoff_time": "%ds" % (math.ceil(sim.minutes(s.sender_retry_minutes)) + 1),
                "maximal_backoff_time": sim.postfix_seconds(4000 / 60),
                "queue_run_delay": sim.postfix_seconds(0.5),
                "smtp_connect_timeout": "5s",
            })
            postfixes.append(pf)
            pf.start()
            who.postfix = pf
            active.append(PostfixInjector(sim, journal, who.name, pf, who.domain, rate, who.phases))
        else:
            mta = ScriptedMta(sim, journal, who.name, who.ip, who.ptr or "[%s]" % who.ip, who.domain, rate, who.phases,
                              dns, partitioned=(lambda: True) if who.partitioned else (lambda: False),
                              null_sender=who.kind == "bounces")
            who.mta = mta
            active.append(mta)
    active.append(EmsSpammer(sim, journal, EMS_NETWORKS, 30 * s.scale, dns))

    sim.t0 = time.time()
    sim.enter("up")
    for a in active:
        a.start()
    sim.sleep_until(s.up)
    # The phase starts when the primary starts stopping (Postfix takes a moment to stop).
    sim.enter("down")
    primary.stop()
    sim.sleep_until(s.up + s.down)
    primary.start()
    sim.enter("partition")
    sim.sleep_until(s.up + s.down + s.partition)
    sim.enter(None)
    sim._finished = True
    end_of_sending = time.time()

    # Drain: until every offered legitimate message is at the sink, or the longest wait.
    offered = {e["message_id"] for e in journal.entries if e["kind"] == "legit"}
    deadline = end_of_sending + sim.minutes(s.drain)
    while time.time() < deadline and not offered <= set(sink.message_ids()):
        time.sleep(0.2)
    drained = time.time()

    blocks = subprocess.run(command + ["block", "list", "--config", os.path.join(work, "mxguard", "mxguard.yaml")],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120).stdout
    queues = {pf.name: pf.queued() for pf in postfixes}
    mx_log = []
    for name, _, _ in instances:
        queues[name] = sum(1 for _, _, files in os.walk(os.path.join(work, name, "spool", "queue"))
                           for f in files if f.endswith(".msg"))
        with open(os.path.join(work, name, "mail.log"), encoding="utf-8", errors="replace") as f:
            mx_log += f.readlines()
    # One log of the fleet in time order: the stamp (to the second) leads each line; a stable sort keeps
    # each host's own order within a second.
    mx_log.sort(key=lambda line: line[:15])
    pf_logs = {pf.name: pf.log_lines() for pf in postfixes}
    for out in outs:
        out.flush()
    with open(os.path.join(work, "mxguard", "stdout"), encoding="utf-8", errors="replace") as f:
        mx_stdout = f.readlines()
    result = report.compute(s, sim, journal, list(sink.records), mx_log, pf_logs, blocks, queues,
                            end_of_sending, drained, mx_stdout)
    result["work"] = work
    result["_sink"] = sink
    return result


def connects(address):
    try:
        socket.create_connection(address, timeout=1).close()
        return True
    except OSError:
        return False


def await_true(condition, timeout, what, detail=lambda: ""):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if condition():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise RuntimeError("%s did not come up within %d s %s" % (what, timeout, detail()))


if __name__ == "__main__":
    sys.exit(main())
