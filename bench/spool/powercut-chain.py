#!/usr/bin/env python3
"""Reads the strace files PowerLossIT writes with -Dmxguard.powerloss.running=true
-Dmxguard.powerloss.strace=true (target/power-loss/strace-N.txt, one per life) and, for every
"250 ... queued as ID" mxguard wrote, finds the commit chain behind it:

  the journal record of ID (pwrite64 to journal/*.seg), the flush that covers it (the first
  fdatasync of that segment entered after the record was written and returned 0), and the reply.

The cut's moment is when the shutdown call entered the kernel (target/power-loss/cuts.txt), or
else the first system call of the life that failed with EIO.
It prints, per life and in total: replies written, replies whose covering flush returned after
the first EIO, replies with no covering flush (a commit-path bug), and for each queue id given
on the command line (or in target/power-loss/race.txt) the chain with times relative to the cut.

usage: powercut-chain.py [DIR] [QUEUE-ID...]
"""
import glob
import os
import re
import sys

LINE = re.compile(r"^(\d+)\s+(\d\d):(\d\d):(\d\d\.\d+) (.*)$")
CALL = re.compile(r"^(\w+)\((\d+)<([^>]*)>(.*)$")
RESUMED = re.compile(r"^<\.\.\. (\w+) resumed>(.*)$")
RESULT = re.compile(r"= (-?\d+)(?: (\w+))?")
RECORD_ID = re.compile(r'\\r([0-9A-V]{13})mxguard-spool-message')
QUEUED = re.compile(r"250 2\.0\.0 Ok: queued as ([0-9A-V]+)")


def seconds(h, m, s):
    return int(h) * 3600 + int(m) * 60 + float(s)


def parse(path):
    """Yields calls as dicts: tid, name, fd path, args, start, end, result, errno."""
    pending = {}
    calls = []
    with open(path, errors="replace") as f:
        for raw in f:
            m = LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            tid, rest = m.group(1), m.group(5)
            t = seconds(m.group(2), m.group(3), m.group(4))
            r = RESUMED.match(rest)
            if r:
                call = pending.pop(tid, None)
                if call is None:
                    continue
                call["args"] += r.group(2)
                finish(call, r.group(2), t)
                calls.append(call)
                continue
            c = CALL.match(rest)
            if not c:
                continue
            call = {"tid": tid, "name": c.group(1), "fd": c.group(3), "args": c.group(4), "start": t}
            if rest.endswith("<unfinished ...>"):
                pending[tid] = call
            else:
                finish(call, c.group(4), t)
                calls.append(call)
    calls.sort(key=lambda c: c["start"])
    return calls


def finish(call, tail, t):
    call["end"] = t
    res = RESULT.search(tail.rsplit(")", 1)[-1]) if ")" in tail else None
    call["result"] = int(res.group(1)) if res else None
    call["errno"] = res.group(2) if res else None


def life(path, watch, cut):
    calls = parse(path)
    eio = min((c["end"] for c in calls if c.get("errno") == "EIO"), default=None)
    if cut is not None:
        # The shutdown call's entry (cuts.txt, CLOCK_REALTIME in ns), as strace -tt prints it (UTC).
        eio = (cut[0] / 1e9) % 86400
    records = {}
    for c in calls:
        if c["name"] == "pwrite64" and c["fd"].endswith(".seg"):
            m = RECORD_ID.search(c["args"])
            if m:
                records[m.group(1)] = c
    flushes = [c for c in calls if c["name"] == "fdatasync" and c["fd"].endswith(".seg")]
    replies = [c for c in calls if c["name"] == "write" and QUEUED.search(c["args"])]
    stats = {"replies": 0, "flush returned after the cut": 0, "reply written after the cut": 0, "no covering flush": 0}
    chains = []
    for reply in replies:
        qid = QUEUED.search(reply["args"]).group(1)
        stats["replies"] += 1
        record = records.get(qid)
        cover = None
        if record is not None:
            cover = next((f for f in flushes if f["fd"] == record["fd"] and f["start"] >= record["end"]
                          and f.get("result") == 0 and f["end"] <= reply["start"]), None)
        racing = False
        if cover is None:
            stats["no covering flush"] += 1
        elif eio is not None and cover["end"] >= eio:
            stats["flush returned after the cut"] += 1
            racing = True
        if eio is not None and reply["start"] >= eio:
            stats["reply written after the cut"] += 1
            racing = True
        if qid in watch or racing or cover is None:
            chains.append((qid, record, cover, reply, eio))
    return stats, chains


def rel(t, eio):
    return "%+.3f ms" % ((t - eio) * 1000) if eio is not None and t is not None else "?"


def main():
    args = sys.argv[1:]
    folder = args.pop(0) if args and os.path.isdir(args[0]) else "target/power-loss"
    watch = set(args)
    race = os.path.join(folder, "race.txt")
    if not watch and os.path.exists(race):
        watch = set(re.findall(r"queued as ([0-9A-V]{13})", open(race).read()))
    total = {}
    cuts = {}
    if os.path.exists(os.path.join(folder, "cuts.txt")):
        for line in open(os.path.join(folder, "cuts.txt")):
            n, entered, returned = line.split()
            cuts[int(n)] = (int(entered), int(returned))
    for path in sorted(glob.glob(os.path.join(folder, "strace-*.txt")),
                       key=lambda p: int(re.search(r"(\d+)\.txt$", p).group(1))):
        n = int(re.search(r"(\d+)\.txt$", path).group(1))
        stats, chains = life(path, watch, cuts.get(n))
        for k, v in stats.items():
            total[k] = total.get(k, 0) + v
        print(os.path.basename(path), stats)
        for qid, record, cover, reply, eio in chains:
            print("  %s: record written %s, covering fdatasync %s, returned %s (= %s), 250 written %s "
                  "(times from the cut)" % (
                      qid, rel(record and record["end"], eio), rel(cover and cover["start"], eio),
                      rel(cover and cover["end"], eio), cover and cover["result"], rel(reply["start"], eio)))
    print("total", total)


if __name__ == "__main__":
    main()
