package org.mxguard.evidence;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mxguard.hostclass.DynamicHostClassifier;
import org.mxguard.policy.Cidr;

/**
 * The sources a client belongs to, as the analyzer aggregates them: its /24 and /16 (IPv4) or /64
 * and /48 (IPv6) networks, and the rDNS subdomain of its verified name. The subdomain is the name's
 * parent, and never above the registered domain (Public Suffix List): a block may cover
 * {@code .pool.isp.example} or {@code .isp.example}, never {@code .example} or {@code .co.uk}.
 */
final class Sources {

    private Sources() {
    }

    static final int[] V4 = {24, 16};

    /**
     * The subdomain of each parent name seen lately ("" for none): every contact and catch asks for
     * its client's, and the Public Suffix List lookup costs more than the rest of recording a contact,
     * while clients share a few thousand parents. At most this many are kept.
     */
    static final int PARENTS_KEPT = 1 << 16;
    private static final Map<String, String> BY_PARENT = new ConcurrentHashMap<>();
    static final int[] V6 = {64, 48};

    static List<String> of(InetAddress client, String verifiedName) {
        List<String> out = new ArrayList<>(3);
        for (Cidr network : networks(client)) {
            out.add(network.toString());
        }
        String sub = subdomain(verifiedName);
        if (sub != null) {
            out.add(sub);
        }
        return out;
    }

    static List<Cidr> networks(InetAddress client) {
        Cidr address = Cidr.of(client);
        int[] levels = address.v4() ? V4 : V6;
        List<Cidr> out = new ArrayList<>(levels.length);
        for (int length : levels) {
            out.add(address.truncate(length));
        }
        return out;
    }

    /** ".pool.isp.example" for "dsl-1.pool.isp.example"; null for unknown names or names with no parent below a public suffix. */
    static String subdomain(String verifiedName) {
        if (verifiedName == null || verifiedName.isEmpty() || verifiedName.equals("unknown")) {
            return null;
        }
        String name = verifiedName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        int dot = name.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        String parent = name.substring(dot + 1);
        String known = BY_PARENT.get(parent);
        if (known != null) {
            return known.isEmpty() ? null : known;
        }
        // Decided by the parent alone (a label under it never moves the registered domain), so that
        // every name under one parent gets the same answer, whichever came first.
        String registered = DynamicHostClassifier.registeredDomain("x." + parent);
        String sub = registered == null || parent.length() < registered.length() ? null : "." + parent;
        if (BY_PARENT.size() >= PARENTS_KEPT) {
            // Names from everywhere at once: start again rather than grow.
            BY_PARENT.clear();
        }
        BY_PARENT.put(parent, sub == null ? "" : sub);
        return sub;
    }

    /** True when the source is a network (else a subdomain). */
    static boolean isNetwork(String source) {
        // Names hold letters and never ':' or '/'; an address without a prefix is all digits and dots.
        return source.indexOf('/') >= 0 || source.indexOf(':') >= 0 || source.chars().allMatch(c -> c == '.'
                || (c >= '0' && c <= '9')) && !source.startsWith(".");
    }
}
