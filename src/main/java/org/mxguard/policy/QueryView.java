package org.mxguard.policy;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mxguard.hostclass.DynamicHostClassifier;
import org.mxguard.mail.MailAddress;

/**
 * One query prepared for matching: the address as numbers, names in canonical case, and DNSBL
 * answers and the dynamic-host verdict computed at most once per query. Not thread-safe: one per
 * decision.
 */
final class QueryView {

    final Stage stage;
    final InetAddress address;
    final boolean hasAddress;
    final boolean v4;
    final long hi;
    final long lo;
    private final PolicyQuery query;
    /** Lower case, or "unknown" when the reverse name is not forward-confirmed; made when first asked. */
    private String clientName;
    private String helo;
    private boolean heloDone;
    final MailAddress sender;
    final MailAddress recipient;
    private final DnsblLookup dnsbl;
    private Map<String, List<InetAddress>> dnsblAnswers;
    private int dynamic = -1;

    QueryView(PolicyQuery q, DnsblLookup dnsbl) {
        this.stage = q.stage() == null ? Stage.RCPT : q.stage();
        this.address = q.clientAddress();
        this.dnsbl = dnsbl;
        if (address == null) {
            hasAddress = false;
            v4 = false;
            hi = 0;
            lo = 0;
        } else {
            byte[] b = address.getAddress();
            hasAddress = true;
            v4 = b.length == 4;
            hi = v4 ? 0 : Cidr.toLong(b, 0);
            lo = v4 ? Cidr.toV4(b) : Cidr.toLong(b, 8);
        }
        this.query = q;
        this.sender = q.sender();
        this.recipient = q.recipient();
    }

    private static String canonical(String name, String missing) {
        if (name == null || name.isEmpty()) {
            return missing;
        }
        if (name.equals(NamePattern.UNKNOWN)) {
            // Most clients of a backup MX have no confirmed name: skip the scan.
            return NamePattern.UNKNOWN;
        }
        String s = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z' || c > 127) {
                return s.toLowerCase(Locale.ROOT);
            }
        }
        return s;
    }

    /** The client name in canonical form (see {@link #canonical}); most rule sets never ask. */
    String clientName() {
        String n = clientName;
        if (n == null) {
            n = canonical(query.clientName(), NamePattern.UNKNOWN);
            clientName = n;
        }
        return n;
    }

    String helo() {
        if (!heloDone) {
            helo = canonical(query.helo(), null);
            heloDone = true;
        }
        return helo;
    }

    boolean nameKnown() {
        return !clientName().equals(NamePattern.UNKNOWN);
    }

    /** The condition, negation included. */
    boolean satisfies(Condition c) {
        return switch (c) {
            case Condition.Client cl -> cl.negated() != inAny(cl.networks());
            case Condition.ClientName n -> clientNameMatches(n);
            case Condition.Helo h -> h.negated() != anyName(h.names(), helo());
            case Condition.Sender s -> s.negated() != anyAddress(s.addresses(), sender);
            case Condition.Recipient r -> r.negated() != anyAddress(r.addresses(), recipient);
            case Condition.Dnsbl d -> d.negated() != listed(d);
            // Like a name, an unconfirmed name proves nothing either way.
            case Condition.Dynamic d -> nameKnown() && d.negated() != dynamic();
        };
    }

    private boolean inAny(List<Cidr> networks) {
        if (!hasAddress) {
            return false;
        }
        for (Cidr n : networks) {
            if (n.contains(v4, hi, lo)) {
                return true;
            }
        }
        return false;
    }

    /**
     * An unconfirmed name could be forged, so it neither matches a name nor proves it is not one:
     * with "unknown", only the explicit {@code unknown} value decides.
     */
    private boolean clientNameMatches(Condition.ClientName n) {
        boolean hit = anyName(n.names(), clientName());
        if (!nameKnown() && !hit && n.names().stream().noneMatch(NamePattern::isUnknown)) {
            return false;
        }
        return n.negated() != hit;
    }

    private static boolean anyName(List<NamePattern> names, String name) {
        if (name == null) {
            return false;
        }
        for (NamePattern p : names) {
            if (p.matches(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyAddress(List<AddressPattern> patterns, MailAddress address) {
        for (AddressPattern p : patterns) {
            if (p.matches(address)) {
                return true;
            }
        }
        return false;
    }

    boolean dynamic() {
        if (dynamic < 0) {
            dynamic = nameKnown() && DynamicHostClassifier.classify(clientName(), address).dynamic() ? 1 : 0;
        }
        return dynamic == 1;
    }

    boolean listed(Condition.Dnsbl d) {
        if (!hasAddress) {
            return false;
        }
        if (dnsblAnswers == null) {
            dnsblAnswers = new HashMap<>();
        }
        List<InetAddress> answers = dnsblAnswers.computeIfAbsent(d.zone(), zone -> {
            try {
                List<InetAddress> found = dnsbl.lookup(zone, address);
                return found == null ? List.of() : found;
            } catch (RuntimeException e) {
                return List.of();
            }
        });
        for (InetAddress a : answers) {
            byte[] b = a.getAddress();
            // RFC 5782 §2.1: listings are in 127.0.0.0/8; 127.255.255.0/24 are error codes
            // (Spamhaus: 127.255.255.254 = "query via a public resolver"), never a listing.
            if (b.length != 4 || b[0] != 127 || ((b[1] & 0xff) == 255 && (b[2] & 0xff) == 255)) {
                continue;
            }
            if (d.answers().isEmpty()) {
                return true;
            }
            long value = Cidr.toV4(b);
            for (Cidr code : d.answers()) {
                if (code.contains(true, 0, value)) {
                    return true;
                }
            }
        }
        return false;
    }
}
