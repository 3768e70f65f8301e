"""Who is who in the simulation: addresses (all on loopback: Linux routes 127.0.0.0/8 to lo, so a
socket can bind any of them and play a host of another network), reverse names, and DNS records."""
from dataclasses import dataclass, field

DOMAIN = "protected.test"
PRIMARY = "127.1.0.10"   # mx1.protected.test, preference 10: Postfix
BACKUP = "127.1.0.20"    # mx2.protected.test, preference 20: mxguard
BACKUP2 = "127.1.0.21"   # mx3.protected.test, preference 30: the second mxguard of a fleet (--fleet)
SINK = "127.1.0.30"      # the final mailbox host behind the primary

ALL = ("up", "down", "partition")


@dataclass
class Legit:
    """A legitimate MTA. kind: postfix (a real Postfix), scripted (an MTA that follows the MX order and
    retries), bounces (an ISP's mail server sending non-delivery reports, MAIL FROM:<>).
    rate: messages per simulated minute. partitioned: cannot reach the primary."""
    name: str
    kind: str
    ip: str
    ptr: str
    rate: float
    domain: str = ""  # the senders' mail domain
    phases: tuple = ALL
    partitioned: bool = False
    postfix: object = field(default=None, repr=False)
    mta: object = field(default=None, repr=False)


LEGIT = [
    Legit("postfix-a", "postfix", "127.50.0.1", "mail.partner-one.example", 3, "partner-one.example"),
    Legit("postfix-b", "postfix", "127.51.0.1", "smtp.partner-two.example", 3, "partner-two.example"),
    Legit("scripted", "scripted", "127.60.0.1", "out.scripted-mta.example", 3, "scripted-mta.example"),
    # ISP mail servers in the same /16 and the same registered domain as the dial-up pools below: a
    # block of 127.66.0.0/16 or of isp-one.example would hit them.
    Legit("isp-one-mx", "bounces", "127.66.250.25", "mx-out.isp-one.example", 1.5, "isp-one.example"),
    Legit("isp-two-mx", "bounces", "127.67.250.25", "smtp.isp-two.example", 1.5, "isp-two.example"),
    # First seen while the primary is down: nothing vouches for it but the primary's state.
    Legit("scripted-new", "scripted", "127.62.0.1", "relay.newcomer.example", 3, "newcomer.example", ("down",)),
    # Partitioned from the primary, first seen in the partition phase (no earlier primary contact).
    Legit("postfix-far", "postfix", "127.55.0.1", "mx.far-partner.example", 3, "far-partner.example", ("partition",), True),
    Legit("scripted-far", "scripted", "127.61.0.1", "", 3, "far-scripted.example", ("partition",), True),
]


@dataclass
class EmsNetwork:
    prefix: str       # the /24, as its first three octets
    ptr: str          # reverse name pattern ({n}: the last octet), or "" for no PTR


EMS_NETWORKS = [
    EmsNetwork("127.66.1", "dialup-{n}.pool-a.isp-one.example"),
    EmsNetwork("127.66.2", "dialup-{n}.pool-b.isp-one.example"),
    EmsNetwork("127.67.3", "{n}-3-67.cable.isp-two.example"),
    EmsNetwork("127.68.4", ""),
    EmsNetwork("127.69.5", "ppp{n}.dial.isp-three.example"),
]


def dnsmasq_lines(fleet=False):
    lines = [
        "local=/test/", "local=/example/", "local=/in-addr.arpa/",
        "mx-host=%s,mx1.%s,10" % (DOMAIN, DOMAIN),
        "mx-host=%s,mx2.%s,20" % (DOMAIN, DOMAIN),
        "host-record=mx1.%s,%s" % (DOMAIN, PRIMARY),
        "host-record=mx2.%s,%s" % (DOMAIN, BACKUP),
        "host-record=sink.%s,%s" % (DOMAIN, SINK),
    ]
    if fleet:
        lines += ["mx-host=%s,mx3.%s,30" % (DOMAIN, DOMAIN), "host-record=mx3.%s,%s" % (DOMAIN, BACKUP2)]
    for who in LEGIT:
        if who.ptr:
            lines.append("host-record=%s,%s" % (who.ptr, who.ip))
    for net in EMS_NETWORKS:
        if net.ptr:
            for n in range(2, 250):
                lines.append("host-record=%s,%s.%d" % (net.ptr.format(n=n), net.prefix, n))
    return lines


def legit_addresses():
    return [w.ip for w in LEGIT] + [PRIMARY, BACKUP, BACKUP2, SINK]


def legit_names():
    return [w.ptr for w in LEGIT if w.ptr] + ["mx1." + DOMAIN, "mx2." + DOMAIN, "mx3." + DOMAIN]


def is_ems(ip):
    return any(ip.startswith(n.prefix + ".") for n in EMS_NETWORKS)
