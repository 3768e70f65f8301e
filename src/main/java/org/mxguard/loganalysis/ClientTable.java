package org.mxguard.loganalysis;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.policy.Cidr;

/**
 * The clients met so far, by address. A join looks a client up at each session, among tens of
 * thousands: a {@code HashMap} keyed by the address string reaches the statistics through the
 * bucket, the node, the key and the key's bytes, each a cache miss when the table is large. Here
 * an IPv4 address in its usual form is read into an int, and the table holds the statistics
 * themselves, which keep that int: a probe reads the slot and the statistics it needs anyway.
 * Other addresses (IPv6, and the rare IPv4 written with leading zeros, which is another string)
 * are kept by string.
 */
final class ClientTable {

    private ClientStats[] slots = new ClientStats[1 << 10];
    private int v4Count;
    private final Map<String, ClientStats> others = new HashMap<>();

    /** The client with this address, made when it is new. */
    ClientStats get(String ip) {
        long v4 = ipv4(ip);
        if (v4 < 0) {
            return others.computeIfAbsent(ip, ClientStats::new);
        }
        int key = (int) v4;
        int mask = slots.length - 1;
        int i = mix(key) & mask;
        ClientStats c;
        while ((c = slots[i]) != null) {
            if (c.v4 == key) {
                return c;
            }
            i = (i + 1) & mask;
        }
        c = new ClientStats(ip);
        c.v4 = key;
        slots[i] = c;
        if (++v4Count > slots.length >> 1) {
            grow();
        }
        return c;
    }

    int size() {
        return v4Count + others.size();
    }

    /** Every client, in no particular order. */
    List<ClientStats> all() {
        List<ClientStats> out = new ArrayList<>(size());
        for (ClientStats c : slots) {
            if (c != null) {
                out.add(c);
            }
        }
        out.addAll(others.values());
        return out;
    }

    /** The clients by address. */
    Map<String, ClientStats> asMap() {
        Map<String, ClientStats> out = HashMap.newHashMap(size());
        for (ClientStats c : all()) {
            out.put(c.ip, c);
        }
        return out;
    }

    private void grow() {
        ClientStats[] old = slots;
        slots = new ClientStats[old.length * 2];
        int mask = slots.length - 1;
        for (ClientStats c : old) {
            if (c != null) {
                int i = mix(c.v4) & mask;
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = c;
            }
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** The address {@code a.b.c.d} in its usual form, which alone maps one to one, as an unsigned int; else -1. */
    static long ipv4(String ip) {
        return ip == null ? -1 : Cidr.parseV4(ip);
    }
}
