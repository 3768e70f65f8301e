package org.mxguard.policy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Refuses a rule that would refuse the null reverse-path from every client. RFC 5321 §4.5.5 and
 * §6.1: delivery status notifications travel with {@code MAIL FROM:<>} and must be accepted, so a
 * refusing rule that matches {@code <>} must also pick out the clients it refuses.
 *
 * <p>What narrows the clients is a condition that holds for some clients and not for others:
 * {@code client} networks that leave out part of IPv4 and part of IPv6 (a list covering either
 * family whole refuses every bounce of that family), {@code client-name}, {@code helo},
 * {@code listed-in} and {@code dynamic}. A {@code to} condition narrows the refusal to some
 * recipients when it names mailboxes or leaves out part of the protected domains; one that covers
 * every protected domain narrows nothing. Negated conditions never narrow: {@code not dynamic}
 * refuses the bounces of nearly every real mail server. Sender conditions decide only whether the
 * rule matches {@code <>} at all.
 *
 * @param protectedDomains the configured protected-domains entries, or empty when unknown (then a
 *     {@code to} condition is taken to narrow, and the check of the running configuration decides)
 */
public record NullSenderGuard(List<String> protectedDomains) {

    /** For rules read without a configuration ({@code mxguard policy check --rules FILE}). */
    public static final NullSenderGuard DOMAINS_UNKNOWN = new NullSenderGuard(List.of());

    private static final BigInteger V4_LAST = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    private static final BigInteger V6_LAST = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    public NullSenderGuard {
        protectedDomains = List.copyOf(protectedDomains);
    }

    /** The error for a rule that would refuse every bounce, or null when it is safe. */
    String violation(Rule rule) {
        if (!rule.action().refuses() || !matchesNullSender(rule)) {
            return null;
        }
        String why = null;
        for (Condition c : rule.conditions()) {
            if (c instanceof Condition.Sender) {
                continue;
            }
            String wide = wideness(c);
            if (wide == null) {
                return null;
            }
            why = why == null ? wide : why + "; " + wide;
        }
        return "this rule would " + rule.action().keyword() + " every null sender <>"
                + (why == null ? "" : " (" + why + ")")
                + ": RFC 5321 §4.5.5 and §6.1 require accepting bounces; add a condition that picks out the "
                + "clients, such as a client network or client-name";
    }

    private static boolean matchesNullSender(Rule rule) {
        for (Condition c : rule.conditions()) {
            if (c instanceof Condition.Sender s && s.addresses().contains(AddressPattern.NULL) == s.negated()) {
                return false;
            }
        }
        return true;
    }

    /** Null when the condition narrows the refusal; otherwise why it does not. */
    private String wideness(Condition c) {
        if (c.negated()) {
            return "'not " + c.body().split(" ")[0] + "' leaves almost every client in";
        }
        return switch (c) {
            case Condition.Client client -> {
                for (boolean v4 : new boolean[] {true, false}) {
                    if (coversFamily(client.networks(), v4)) {
                        yield "client " + join(client.networks()) + " covers every IPv" + (v4 ? "4" : "6")
                                + " address";
                    }
                }
                yield null;
            }
            case Condition.Recipient to -> coversProtectedDomains(to.addresses())
                    ? "to " + join(to.addresses()) + " covers every protected domain" : null;
            case Condition.ClientName n -> null;
            case Condition.Helo h -> null;
            case Condition.Dnsbl d -> null;
            case Condition.Dynamic d -> null;
            case Condition.Sender s -> null;
        };
    }

    /** True when the networks of one family together hold every address of that family. */
    static boolean coversFamily(List<Cidr> networks, boolean v4) {
        // Cheap first: a list of a million-rule file's single networks almost never holds address zero.
        boolean startsAtZero = false;
        for (Cidr n : networks) {
            startsAtZero |= n.v4() == v4 && n.hi() == 0 && n.lo() == 0;
        }
        if (!startsAtZero) {
            return false;
        }
        List<BigInteger[]> ranges = new ArrayList<>();
        for (Cidr n : networks) {
            if (n.v4() != v4) {
                continue;
            }
            BigInteger start = v4 ? BigInteger.valueOf(n.lo())
                    : unsigned(n.hi()).shiftLeft(64).or(unsigned(n.lo()));
            int hostBits = (v4 ? 32 : 128) - n.length();
            ranges.add(new BigInteger[] {start, start.add(BigInteger.ONE.shiftLeft(hostBits)).subtract(BigInteger.ONE)});
        }
        ranges.sort(Comparator.comparing(r -> r[0]));
        BigInteger next = BigInteger.ZERO;
        for (BigInteger[] r : ranges) {
            if (r[0].compareTo(next) > 0) {
                return false;
            }
            if (r[1].add(BigInteger.ONE).compareTo(next) > 0) {
                next = r[1].add(BigInteger.ONE);
            }
        }
        return next.compareTo((v4 ? V4_LAST : V6_LAST).add(BigInteger.ONE)) >= 0;
    }

    private static BigInteger unsigned(long value) {
        return new BigInteger(Long.toUnsignedString(value));
    }

    /**
     * True when the patterns match mail to every protected domain: each entry "example.org" is
     * matched by that domain or a parent's subtree, each ".example.org" by the subtree of it or a
     * parent. Address-literal entries are matched by no pattern. Unknown domains: never.
     */
    private boolean coversProtectedDomains(List<AddressPattern> patterns) {
        if (protectedDomains.isEmpty()) {
            return false;
        }
        for (String entry : protectedDomains) {
            String e = entry.strip();
            boolean subtree = e.startsWith(".");
            String name;
            try {
                name = NamePattern.canonical(subtree ? e.substring(1) : e, entry);
            } catch (IllegalArgumentException addressLiteral) {
                return false;
            }
            boolean covered = false;
            for (AddressPattern p : patterns) {
                covered |= switch (p.kind()) {
                    case DOMAIN -> !subtree && name.equals(p.domain());
                    case SUBTREE -> name.equals(p.domain()) ? subtree : name.endsWith("." + p.domain());
                    case NULL_SENDER, MAILBOX, LOCAL_PART -> false;
                };
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }

    private static String join(List<?> values) {
        return String.join(",", values.stream().map(Object::toString).toList());
    }
}
