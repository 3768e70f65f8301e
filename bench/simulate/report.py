"""Turns what the sink recorded and what mxguard and the Postfix instances logged into the numbers
per phase, and checks them against the goals. The senders' journal says only what was offered."""
import ipaddress
import re
import time

from world import EMS_NETWORKS, LEGIT, is_ems, legit_addresses, legit_names

PHASES = ("up", "down", "partition")
_STAMP = re.compile(r"^(\w{3}\s+\d+\s+\d\d:\d\d:\d\d)\s+\S+\s+(\S+?)(?:\[\d+\])?:\s(.*)$")
_CONNECT = re.compile(r"^connect from (\S*)\[([0-9.]+)\]")
_REJECT = re.compile(r"^NOQUEUE: (reject|reject_warning): (\w+) from (\S*)\[([0-9.]+)\]: (\d{3})")
_CLIENT = re.compile(r"^(\w+): client=(\S*)\[([0-9.]+)\]")
_MSGID = re.compile(r"^(\w+): message-id=<([^>]*)>")
_BLOCK = re.compile(r"^block: (\S+) until (\S+): (.*)$")
_LIFTED = re.compile(r"^block lifted: (\S+): (.*)$")
_CREDIT = re.compile(r"^NOQUEUE: mx-skip: RCPT from (\S*)\[([0-9.]+)\]: pass: retry credit earned(.*)$")


def _when(stamp):
    """A syslog time stamp (no year, local time) as epoch seconds."""
    year = time.localtime().tm_year
    return time.mktime(time.strptime("%d %s" % (year, " ".join(stamp.split())), "%Y %b %d %H:%M:%S"))


def parse_log(lines):
    """(time, program, message) for each syslog-format line."""
    out = []
    for line in lines:
        m = _STAMP.match(line.rstrip("\n"))
        if m:
            out.append((_when(m.group(1)), m.group(2), m.group(3)))
    return out


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(q / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def covers(target, addresses, names):
    """The legitimate addresses or names a block target covers."""
    hit = []
    try:
        net = ipaddress.ip_network(target, strict=False)
        hit = [a for a in addresses if ipaddress.ip_address(a) in net]
    except ValueError:
        suffix = target.lstrip(".").lower()
        hit = [n for n in names if n.lower() == suffix or n.lower().endswith("." + suffix)]
    return hit


def probe_changes(stdout_lines, t0, minute):
    """The health probe's verdicts from mxguard's own log: [(simulated minute, "up"|"down")]."""
    out = []
    for line in stdout_lines:
        m = re.match(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) .*\bprimary_(up|down) ", line)
        if m:
            t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1000.0
            out.append((round((t - t0) / minute, 2), m.group(3)))
    return out


def compute(s, sim, journal, sink_records, mx_log, pf_logs, blocks_text, queues, end_of_sending, drained,
            mx_stdout=()):
    minute = sim.minute
    t0 = sim.t0
    bounds = dict(sim.bounds)
    down_start, down_end = bounds["down"]
    warm = t0 + s.warmup * minute

    def phase_at(t):
        """The phase an event belongs to; the drain after the last phase counts in the last."""
        for name in PHASES:
            end = bounds[name][1]
            if end is None or t < end:
                return name
        return PHASES[-1]

    arrivals = {}
    dupes = 0
    for r in sink_records:
        if r["message_id"] in arrivals:
            dupes += 1
            continue
        arrivals[r["message_id"]] = r

    mx = parse_log(mx_log)
    legit_ips = {w.ip: w.name for w in LEGIT}
    via_backup = set()
    phases = {p: {"offered": 0, "delivered": 0, "lost": 0, "bounced": 0, "via_backup": 0, "legit_tempfails": 0,
                  "delays": [], "spam_attempts": 0, "spam_accepted": 0, "spam_attempts_all": 0,
                  "spam_accepted_all": 0, "blocks": 0, "false_blocks": 0, "duplicates": 0,
                  "spam_accepted_networks": {}, "spam_accepted_clients": {}}
              for p in PHASES}
    blocks, lifted, credits = [], [], []
    sessions = {}
    for t, prog, msg in mx:
        m = _CONNECT.match(msg)
        if m and is_ems(m.group(2)):
            ph = phases[phase_at(t)]
            ph["spam_attempts_all"] += 1
            if t >= warm:
                ph["spam_attempts"] += 1
            sessions[m.group(2)] = (ph, t >= warm)
            continue
        m = _CLIENT.match(msg)
        if m:
            if is_ems(m.group(3)):
                # Counted where its session was: an attempt and its acceptance fall in the same phase.
                ph, counted = sessions.get(m.group(3), (phases[phase_at(t)], t >= warm))
                ph["spam_accepted_all"] += 1
                if counted:
                    ph["spam_accepted"] += 1
                    net = m.group(3).rsplit(".", 1)[0] + ".0/24"
                    ph["spam_accepted_networks"][net] = ph["spam_accepted_networks"].get(net, 0) + 1
                    ph["spam_accepted_clients"][m.group(3)] = ph["spam_accepted_clients"].get(m.group(3), 0) + 1
            continue
        m = _REJECT.match(msg)
        if m and m.group(4) in legit_ips and m.group(1) == "reject":
            phases[phase_at(t)]["legit_tempfails"] += 1
            continue
        m = _MSGID.match(msg)
        if m and m.group(2).startswith("legit."):
            via_backup.add(m.group(2))
            continue
        m = _BLOCK.match(msg)
        if m:
            hit = covers(m.group(1), legit_addresses(), legit_names())
            blocks.append({"target": m.group(1), "at_minute": round((t - t0) / minute, 2), "phase": phase_at(t),
                           "evidence": m.group(3), "covers_legitimate": hit})
            continue
        m = _CREDIT.match(msg)
        if m:
            credits.append({"client": m.group(2), "name": m.group(1), "spam": is_ems(m.group(2)),
                            "sender_name": legit_ips.get(m.group(2)), "at_minute": round((t - t0) / minute, 2),
                            "phase": phase_at(t), "detail": m.group(3)[:300]})
            continue
        m = _LIFTED.match(msg)
        if m:
            who = re.search(r"client ([0-9.]+)", m.group(2))
            lifted.append({"target": m.group(1), "at_minute": round((t - t0) / minute, 2), "why": m.group(2),
                           "by_spam_client": bool(who and is_ems(who.group(1)))})

    for b in blocks:
        phases[b["phase"]]["blocks"] += 1
        if b["covers_legitimate"]:
            phases[b["phase"]]["false_blocks"] += 1

    bounces = []
    for e in journal.entries:
        if e["kind"] == "bounce":
            bounces.append({"who": e["sender_name"], "phase": phase_at(e["at"]), "line": e["reply"]})
    for name, lines in list(pf_logs.items()) + [("mxguard", mx_log)]:
        for t, prog, msg in parse_log(lines):
            if "status=bounced" in msg or re.search(r"\bbounce(d)?: ", msg):
                bounces.append({"who": name, "phase": phase_at(t), "line": msg[:300]})
    for b in bounces:
        phases[b["phase"]]["bounced"] += 1

    offered = [e for e in journal.entries if e["kind"] == "legit"]
    per_sender = {}
    for e in offered:
        ph = phases[e["phase"] or PHASES[-1]]
        ph["offered"] += 1
        ps = per_sender.setdefault(e["sender_name"], {"offered": 0, "delivered": 0, "delays": []})
        ps["offered"] += 1
        r = arrivals.get(e["message_id"])
        if not r:
            ph["lost"] += 1
            continue
        ph["delivered"] += 1
        ps["delivered"] += 1
        if e["message_id"] in via_backup:
            ph["via_backup"] += 1
        sent = e["sent"]
        # Mail offered before the primary came back and delivered after it was held by the outage:
        # its delay counts from the primary's return.
        start = max(sent, down_end) if sent < down_end < r["arrived"] else sent
        delay = max(0.0, (r["arrived"] - start) / minute)
        ph["delays"].append(delay)
        ps["delays"].append(delay)
    for ph in phases.values():
        d = ph.pop("delays")
        ph["delay_p50"] = percentile(d, 50)
        ph["delay_p95"] = percentile(d, 95)
        ph["delay_max"] = max(d) if d else None
    for ps in per_sender.values():
        d = ps.pop("delays")
        ps["delay_p95"] = percentile(d, 95)
        ps["delay_max"] = max(d) if d else None

    spam_at_sink = sum(1 for mid in arrivals if mid.startswith("spam."))
    first_spam = min((e["sent"] for e in journal.entries if e["kind"] == "spam"), default=None)
    first_block = min((b["at_minute"] for b in blocks), default=None)
    limit = s.retry_minutes + 1
    att = sum(p["spam_attempts"] for p in phases.values())
    acc = sum(p["spam_accepted"] for p in phases.values())
    goals = {
        "legit_lost": {"value": sum(p["lost"] for p in phases.values()), "goal": "0"},
        "legit_bounced": {"value": len(bounces), "goal": "0"},
        "delay_p95_max_minutes": {"value": max((p["delay_p95"] or 0) for p in phases.values()),
                                  "goal": "< %g (retry interval + 1 min)" % limit},
        "spam_accepted_share": {"value": (acc / att) if att else None, "goal": "< 0.01 after warm-up"},
        "false_blocks": {"value": sum(1 for b in blocks if b["covers_legitimate"]), "goal": "0"},
        "first_block_minute": {"value": first_block, "goal": "a block appears"},
    }
    goals["legit_lost"]["met"] = goals["legit_lost"]["value"] == 0
    goals["legit_bounced"]["met"] = goals["legit_bounced"]["value"] == 0
    goals["delay_p95_max_minutes"]["met"] = goals["delay_p95_max_minutes"]["value"] < limit
    goals["spam_accepted_share"]["met"] = att > 0 and acc / att < 0.01
    for name, p in phases.items():
        share = p["spam_accepted"] / p["spam_attempts"] if p["spam_attempts"] else None
        goals["spam_accepted_share_" + name] = {"value": share, "goal": "< 0.01 after warm-up",
                                                "met": share is not None and share < 0.01}
    goals["false_blocks"]["met"] = goals["false_blocks"]["value"] == 0
    goals["first_block_minute"]["met"] = first_block is not None
    return {
        "settings": {"minute_seconds": minute, "up": s.up, "down": s.down, "partition": s.partition,
                     "warmup": s.warmup, "scale": s.scale, "retry_interval_minutes": s.retry_minutes,
                     "sender_retry_minutes": s.sender_retry_minutes,
                     "backups": 2 if getattr(s, "fleet", False) else 1},
        "phases": phases,
        "per_sender": per_sender,
        "spam_at_sink": spam_at_sink,
        "spam_offered": sum(1 for e in journal.entries if e["kind"] == "spam"),
        "first_spam_minute": round((first_spam - t0) / minute, 2) if first_spam else None,
        "blocks": blocks,
        "lifted": lifted,
        "credits": credits,
        "probe": probe_changes(mx_stdout, t0, minute),
        "primary_stopped_minute": round((down_start - t0) / minute, 2),
        "primary_started_minute": round((down_end - t0) / minute, 2),
        "block_list": blocks_text,
        "bounces": bounces,
        "duplicates": dupes,
        "queues_at_end": queues,
        "drain_minutes": round((drained - end_of_sending) / minute, 2),
        "errors": journal.errors[:50],
        "goals": goals,
    }


def _f(v, fmt="%.1f"):
    return "-" if v is None else fmt % v


def table(r):
    st = r["settings"]
    out = ["MX-skip simulation: 1 simulated minute = %g s; retry interval %g min; phases up %g, down %g, "
           "partition %g min; spam counted after a %g min warm-up%s" % (
               st["minute_seconds"], st["retry_interval_minutes"], st["up"], st["down"], st["partition"],
               st["warmup"], "; two backups sharing one Redis" if st.get("backups") == 2 else ""), ""]
    head = ("phase", "legit", "deliv", "lost", "bounce", "via bkp", "4xx", "p50", "p95", "max", "spam", "acc",
            "acc %", "blocks", "false")
    fmt = "%-10s %6s %6s %5s %6s %7s %5s %6s %6s %6s %6s %5s %6s %6s %5s"
    out.append(fmt % head)
    for name in PHASES:
        p = r["phases"][name]
        share = (100.0 * p["spam_accepted"] / p["spam_attempts"]) if p["spam_attempts"] else None
        out.append(fmt % (name, p["offered"], p["delivered"], p["lost"], p["bounced"], p["via_backup"],
                          p["legit_tempfails"], _f(p["delay_p50"]), _f(p["delay_p95"]), _f(p["delay_max"]),
                          p["spam_attempts"], p["spam_accepted"], _f(share, "%.2f"), p["blocks"], p["false_blocks"]))
    out.append("")
    out.append("legit: messages offered by the legitimate senders in the phase; deliv: recorded by the sink; "
               "via bkp: relayed by mxguard;")
    out.append("4xx: mxguard's 451 to legitimate senders (retried later); p50/p95/max: delay to the sink, simulated "
               "minutes (mail sent while the primary")
    out.append("was down counted from its return); spam/acc: EMS sessions at mxguard after the warm-up, and those "
               "it accepted (from mxguard's log).")
    out.append("")
    out.append("first block at minute %s (first spam at minute %s); blocks: %s" % (
        _f(r["goals"]["first_block_minute"]["value"], "%.2f"), _f(r["first_spam_minute"], "%.2f"),
        ", ".join("%s@%.1f" % (b["target"], b["at_minute"]) for b in r["blocks"]) or "none"))
    spam_credit = sorted({c["client"] for c in r["credits"] if c["spam"]})
    legit_credit = sorted({c["sender_name"] or c["client"] for c in r["credits"] if not c["spam"]})
    out.append("retry credit earned by legitimate senders: %s; by spam clients: %s; blocks lifted: %s" % (
        ", ".join(legit_credit) or "none", ", ".join(spam_credit) or "none",
        ", ".join("%s@%.1f" % (b["target"], b["at_minute"]) for b in r["lifted"]) or "none"))
    out.append("primary stopped at minute %.1f, started at %.1f; the probe saw it: %s" % (
        r["primary_stopped_minute"], r["primary_started_minute"],
        ", ".join("%s at %.1f" % (state, at) for at, state in r["probe"]) or "no change"))
    out.append("duplicates at the sink %d; spam at the sink %d of %d offered; queues at the end %s; drain %.1f min" % (
        r["duplicates"], r["spam_at_sink"], r["spam_offered"], r["queues_at_end"], r["drain_minutes"]))
    for name, ps in r["per_sender"].items():
        out.append("  %-13s offered %4d delivered %4d p95 %s max %s" % (name, ps["offered"], ps["delivered"],
                                                                     _f(ps["delay_p95"]), _f(ps["delay_max"])))
    if r["errors"]:
        out.append("sender errors: %d, first: %s" % (len(r["errors"]), r["errors"][0]))
    out.append("")
    for k, g in r["goals"].items():
        v = g["value"]
        out.append("%-4s %-22s %-10s goal %s" % ("ok" if g["met"] else "MISS", k,
                                                  "-" if v is None else ("%.4g" % v), g["goal"]))
    return "\n".join(out)
