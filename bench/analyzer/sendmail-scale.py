#!/usr/bin/env python3
"""Writes a large sendmail log made of the real sendmail lines of the test corpus, repeated.

Usage: bench/analyzer/sendmail-scale.py SIZE OUT [YEAR]      SIZE: 300M, 1G, 50K...

The lines are those of real sendmail 8.7 to 8.14 logs kept under src/test/resources/maillogs
(see SOURCES.md there for where each came from and its licence: Parse-Syslog-Mail's sendmail
logs, SyslogScan's 1996 syslog, fail2ban's sendmail-reject and sendmail-auth). Nothing is made
up: each repetition writes every line again, in order, with
- the time replaced by a clock that runs through 30 days of YEAR over the whole output
  (RFC 3164 stamps, so the log spans the same time whatever its size);
- every queue id replaced by a new one of the same length and kind (8.7's 8 characters,
  8.12's 14), the same within a repetition, so from=, to= and done lines still join;
- every client address in brackets moved within its /24 (the last octet plus the repetition
  modulo VARIANTS, default 64; loopback stays), and a name that spells that address (1-2-3-4.isp...) with it:
  the number of distinct clients is bounded whatever the size, as on a real backup MX;
- the sender of a third of the from= lines of network clients replaced by the null sender <>
  (the corpus holds no null-sender mail; loopback clients keep theirs), so that the analysis has a null-sender share to find.
Lines whose stamp cannot be read (none in the corpus) are left out.
"""
import os
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "src/test/resources/maillogs")
FILES = [
    "parse-syslog-mail/sendmail-plain.log",
    "parse-syslog-mail/sendmail-custom-dsn.log",
    "parse-syslog-mail/sendmail-done.log",
    "parse-syslog-mail/sendmail-ruleset.log",
    "syslogscan/good_syslog",
    "syslogscan/prev_syslog",
    "fail2ban/sendmail-reject",
    "fail2ban/sendmail-auth",
]
VARIANTS = int(os.environ.get("VARIANTS", "64"))
HEADER = re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\S+ (?:sendmail|sm-[\w-]+)\[\d+\]: )(.*)$")
QIDS = re.compile(r"^((?:[A-Za-z0-9]{8,14}: )+)")
BRACKET_IP = re.compile(r"\[(?:IPv6:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\]")
NULL_FROM = re.compile(r"^((?:[A-Za-z0-9]{8,14}: )from=)<[^>]*>(?=, .*relay=[^@]*\[)")
B60 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def size_of(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(float(text[:-1]) * units[text[-1].upper()]) if text[-1].upper() in units else int(text)


def read_lines():
    lines = []
    for name in FILES:
        with open(os.path.join(CORPUS, name), encoding="latin-1") as f:
            for raw in f:
                m = HEADER.match(raw.rstrip("\n"))
                if m:
                    lines.append((name, m.group(1), m.group(2)))
    return lines


def new_qid(old, counter):
    """A queue id of the same length and kind as old, unique per counter."""
    if len(old) >= 12:
        # 8.12+: YMDhms + sequence + pid; the six time characters carry the counter (base 60).
        code = ""
        for _ in range(6):
            code = B60[counter % 60] + code
            counter //= 60
        return old[:2] + code + old[8:]
    # 8.7: hour letter, two sequence letters, pid digits.
    letters = ""
    for _ in range(3):
        letters = chr(ord("A") + counter % 26) + letters
        counter //= 26
    digits = str(counter % 10 ** (len(old) - 3)).zfill(len(old) - 3)
    return letters + digits


def main():
    size = size_of(sys.argv[1])
    out = sys.argv[2]
    year = int(sys.argv[3]) if len(sys.argv) > 3 else 2026
    lines = read_lines()
    per_rep = sum(len(p) + len(m) + 17 for _, p, m in lines)
    reps = max(1, -(-size // per_rep))
    total = reps * len(lines)
    start = time.mktime((year, 11, 1, 0, 0, 0, 0, 0, -1))
    step = 30 * 86400 / total
    qid_index = {}
    for name, _, message in lines:
        m = QIDS.match(message)
        if m:
            for q in m.group(1).split(": ")[:-1]:
                qid_index.setdefault((name, q), len(qid_index))
    n_qids = len(qid_index)
    written = 0
    k = 0
    last_sec = None
    stamp = ""
    with open(out, "w", encoding="latin-1", newline="\n", buffering=1 << 20) as f:
        for rep in range(reps):
            v = rep % VARIANTS

            def move(m):
                a, b, c, d = (int(x) for x in m.groups())
                if max(a, b, c, d) > 255 or a == 127:
                    return m.group(0)
                return m.group(0).replace(f"{a}.{b}.{c}.{d}", f"{a}.{b}.{c}.{(d + v) % 256}")

            for name, prefix, message in lines:
                sec = int(start + k * step)
                k += 1
                if sec != last_sec:
                    t = time.localtime(sec)
                    stamp = f"{MONTHS[t.tm_mon - 1]} {t.tm_mday:2d} {t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} "
                    last_sec = sec
                m = QIDS.match(message)
                if m:
                    ids = m.group(1).split(": ")[:-1]
                    fresh = ": ".join(new_qid(q, rep * n_qids + qid_index[(name, q)]) for q in ids) + ": "
                    message = fresh + message[m.end():]
                if v and "[" in message:
                    for ip in BRACKET_IP.finditer(message):
                        a, b, c, d = (int(x) for x in ip.groups())
                        if max(a, b, c, d) <= 255 and a != 127:
                            message = message.replace(f"{a}-{b}-{c}-{d}", f"{a}-{b}-{c}-{(d + v) % 256}")
                    message = BRACKET_IP.sub(move, message)
                if rep % 3 == 0 and "from=<" in message and "[127." not in message:
                    message = NULL_FROM.sub(r"\1<>", message)
                line = stamp + prefix + message + "\n"
                f.write(line)
                written += len(line)
                if written >= size:
                    return


if __name__ == "__main__":
    main()
