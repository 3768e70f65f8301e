"""A minimal DNS stub (RFC 1035) for the scripted MTAs: MX and A look-ups against the simulation's
dnsmasq, so that they follow the MX order the zone publishes, as a real MTA does (RFC 5321 §5.1)."""
import random
import socket
import struct

TYPE_A, TYPE_MX = 1, 15


def _name(labels):
    out = b""
    for label in labels.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def _read_name(msg, pos):
    """Reads a possibly compressed name (RFC 1035 §4.1.4); returns (name, position after it)."""
    labels, jumped, end = [], False, pos
    for _ in range(128):
        length = msg[pos]
        if length & 0xC0 == 0xC0:
            if not jumped:
                end = pos + 2
            pos = ((length & 0x3F) << 8) | msg[pos + 1]
            jumped = True
            continue
        if length == 0:
            if not jumped:
                end = pos + 1
            return ".".join(labels), end
        labels.append(msg[pos + 1:pos + 1 + length].decode("ascii"))
        pos += 1 + length
    raise ValueError("DNS name loop")


def query(server, name, qtype, timeout=2.0):
    """Returns the answer records of one type as a list: MX -> [(preference, host)], A -> [address]."""
    qid = random.randrange(65536)
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + _name(name) + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(packet, server)
        msg, _ = s.recvfrom(4096)
    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", msg[:12])
    if rid != qid:
        raise ValueError("DNS reply id mismatch")
    if flags & 0xF not in (0, 3):
        raise OSError("DNS server failure rcode %d for %s" % (flags & 0xF, name))
    pos = 12
    for _ in range(qd):
        _, pos = _read_name(msg, pos)
        pos += 4
    out = []
    for _ in range(an):
        _, pos = _read_name(msg, pos)
        rtype, _, _, rdlen = struct.unpack(">HHIH", msg[pos:pos + 10])
        pos += 10
        rdata = pos
        pos += rdlen
        if rtype != qtype:
            continue
        if rtype == TYPE_A:
            out.append(socket.inet_ntoa(msg[rdata:rdata + 4]))
        elif rtype == TYPE_MX:
            pref = struct.unpack(">H", msg[rdata:rdata + 2])[0]
            host, _ = _read_name(msg, rdata + 2)
            out.append((pref, host))
    return out


def mx_addresses(server, domain):
    """The domain's MX hosts' addresses, most preferred first (RFC 5321 §5.1)."""
    hosts = sorted(query(server, domain, TYPE_MX))
    addresses = []
    for _, host in hosts:
        addresses.extend(query(server, host, TYPE_A))
    return addresses
