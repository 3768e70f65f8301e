#!/usr/bin/env python3
"""Runs a command and prints the CPU time of its threads, summed by thread name (digits folded),
from /proc (polled every 20 ms, so the last 20 ms of a thread may be missing). For a JVM this
shows the share of the parsing threads, the joining (main) thread, the JIT compilers and the GC.
Usage: bench/analyzer/threadcpu.py java -Xmx512m -cp ... org.mxguard.cli.AnalyzeCommand ..."""
import subprocess, sys, os, time, re, collections
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
last = {}
while p.poll() is None:
    try:
        for t in os.listdir(f"/proc/{p.pid}/task"):
            try:
                s = open(f"/proc/{p.pid}/task/{t}/stat").read()
            except OSError:
                continue
            comm = s[s.index("(")+1:s.rindex(")")]
            f = s[s.rindex(")")+2:].split()
            last[t] = (comm, int(f[11]) + int(f[12]))
    except OSError:
        pass
    time.sleep(0.02)
agg = collections.Counter()
for comm, ticks in last.values():
    agg[re.sub(r"\d+", "#", comm)] += ticks * 10
for k, v in agg.most_common(12):
    print(f"{v:6d} ms {k}")
print(sum(agg.values()), "ms total")
