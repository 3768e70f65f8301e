package org.mxguard.policy;

import java.util.ArrayList;
import java.util.List;
import org.mxguard.mail.Reply;

/**
 * Writes mxguard rules as a sendmail access file or a Postfix {@code cidr:} table, for a peer MTA
 * (the primary MX) that should refuse the same sources. Only rules with one condition of a kind the
 * target has translate; the rest are listed. Postfix cidr tables are first-match like mxguard;
 * sendmail answers with the most specific key, so overlapping networks whose order matters are
 * reported.
 */
public final class AccessMapExport {

    private AccessMapExport() {
    }

    public static ConversionResult sendmail(List<Rule> rules) {
        List<String> lines = new ArrayList<>();
        List<String> untranslatable = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Cidr> nets = new ArrayList<>();
        List<String> netActions = new ArrayList<>();
        List<Rule> netRules = new ArrayList<>();
        for (Rule r : rules) {
            String value = sendmailValue(r);
            String why = plainProblem(r);
            if (why == null && value == null) {
                why = "sendmail has no " + r.action().keyword() + " action";
            }
            if (why != null) {
                untranslatable.add(r.ref() + ": " + r.render() + "  (" + why + ")");
                continue;
            }
            List<String> keys = new ArrayList<>();
            Condition c = r.conditions().getFirst();
            switch (c) {
                case Condition.Client cl -> {
                    for (Cidr n : cl.networks()) {
                        String key = sendmailNetwork(n);
                        if (key == null) {
                            why = "sendmail keys are whole octets (/8, /16, /24, /32) or whole non-zero IPv6 groups "
                                    + "(/16 ... /112, /128): " + n;
                            break;
                        }
                        keys.add("Connect:" + key);
                        nets.add(n);
                        netActions.add(value);
                        netRules.add(r);
                    }
                }
                case Condition.ClientName cn -> why = names(cn.names(), "Connect:", keys, notes, r);
                case Condition.Sender s -> why = addresses(s.addresses(), "From:", keys, notes, r);
                case Condition.Recipient t -> why = addresses(t.addresses(), "To:", keys, notes, r);
                default -> why = "sendmail's access map has no " + c.body().split(" ")[0] + " key";
            }
            if (why != null) {
                untranslatable.add(r.ref() + ": " + r.render() + "  (" + why + ")");
                continue;
            }
            for (String k : keys) {
                lines.add(k + "\t" + value);
            }
        }
        // sendmail picks the longest network; mxguard the first rule. They agree unless a longer
        // network with another answer comes after a shorter one that contains it.
        if (nets.size() <= 20_000) {
            for (int i = 0; i < nets.size(); i++) {
                for (int j = i + 1; j < nets.size(); j++) {
                    if (nets.get(i).contains(nets.get(j)) && !nets.get(i).equals(nets.get(j))
                            && !netActions.get(i).equals(netActions.get(j))) {
                        notes.add(netRules.get(j).ref() + ": sendmail will let " + nets.get(j) + " decide before "
                                + netRules.get(i).ref() + " (" + nets.get(i) + "), unlike mxguard's first match");
                    }
                }
            }
        } else {
            notes.add("more than 20000 networks: the order check was skipped");
        }
        return new ConversionResult(lines, untranslatable, notes);
    }

    public static ConversionResult postfixCidr(List<Rule> rules) {
        List<String> lines = new ArrayList<>();
        List<String> untranslatable = new ArrayList<>();
        for (Rule r : rules) {
            String why = plainProblem(r);
            String value = postfixValue(r);
            if (why == null && value == null) {
                why = "Postfix access tables have no " + r.action().keyword() + " action";
            }
            if (why == null && !(r.conditions().getFirst() instanceof Condition.Client)) {
                why = "a cidr: table holds client networks only";
            }
            if (why == null && r.conditions().getFirst().negated()
                    && ((Condition.Client) r.conditions().getFirst()).networks().size() > 1) {
                why = "a negated list of networks has no cidr: form";
            }
            if (why != null) {
                untranslatable.add(r.ref() + ": " + r.render() + "  (" + why + ")");
                continue;
            }
            Condition.Client c = (Condition.Client) r.conditions().getFirst();
            for (Cidr n : c.networks()) {
                String net = n.length() == (n.v4() ? 32 : 128) ? n + "/" + n.length() : n.toString();
                lines.add((c.negated() ? "!" : "") + net + "\t" + value);
            }
        }
        return new ConversionResult(lines, untranslatable, List.of());
    }

    /** Why a rule cannot be written as a plain table entry, or null. */
    private static String plainProblem(Rule r) {
        if (r.conditions().size() != 1) {
            return r.conditions().isEmpty() ? "a table has no catch-all key" : "tables test one key, this rule "
                    + r.conditions().size() + " conditions";
        }
        if (r.conditions().getFirst().negated() && !(r.conditions().getFirst() instanceof Condition.Client)) {
            return "tables have no negated keys";
        }
        if (r.expires() != null) {
            return "tables have no expiry";
        }
        if (r.actAt() == Stage.CONNECT && r.action() != Action.ACCEPT) {
            return "'at connect' has no table equivalent";
        }
        return null;
    }

    private static String sendmailValue(Rule r) {
        Reply reply = r.reply() != null ? r.reply() : switch (r.action()) {
            case TEMPFAIL -> PolicySettings.DEFAULT_TEMPFAIL;
            case REJECT -> PolicySettings.DEFAULT_REJECT;
            default -> null;
        };
        return switch (r.action()) {
            case ACCEPT -> "OK";
            case TEMPFAIL, REJECT -> "ERROR:" + reply.status() + ":" + reply.code() + " " + reply.lines().getFirst();
            case DISCONNECT, WARN -> null;
        };
    }

    private static String postfixValue(Rule r) {
        return switch (r.action()) {
            case ACCEPT -> "OK";
            case TEMPFAIL -> text(r.reply() != null ? r.reply() : PolicySettings.DEFAULT_TEMPFAIL);
            case REJECT -> text(r.reply() != null ? r.reply() : PolicySettings.DEFAULT_REJECT);
            case WARN -> "WARN " + (r.reason() != null ? r.reason() : r.render());
            case DISCONNECT -> null;
        };
    }

    private static String text(Reply reply) {
        return reply.code() + " " + reply.status() + " " + reply.lines().getFirst();
    }

    /**
     * The key of a network, or null when sendmail has none. Sendmail matches a network by the
     * leading parts of the client address's text: whole octets for IPv4 ("192.0.2" is a /24),
     * whole 16-bit groups for IPv6 ("IPv6:2001:db8:1" is a /48).
     */
    private static String sendmailNetwork(Cidr n) {
        if (n.length() == 0) {
            return null;
        }
        if (n.v4()) {
            if (n.length() % 8 != 0) {
                return null;
            }
            String[] octets = n.address().getHostAddress().split("\\.");
            return String.join(".", java.util.Arrays.copyOf(octets, n.length() / 8));
        }
        if (n.length() == 128) {
            return "IPv6:" + n;
        }
        if (n.length() % 16 != 0) {
            return null;
        }
        StringBuilder key = new StringBuilder("IPv6");
        for (int i = 0; i < n.length() / 16; i++) {
            long word = i < 4 ? n.hi() : n.lo();
            int group = (int) (word >>> (48 - 16 * (i % 4))) & 0xffff;
            if (group == 0) {
                // The address's text writes a run of zero groups as "::", so a 0 in the key never matches.
                return null;
            }
            key.append(':').append(Integer.toHexString(group));
        }
        return key.toString();
    }

    private static String names(List<NamePattern> names, String tag, List<String> keys, List<String> notes, Rule r) {
        for (NamePattern p : names) {
            if (p.isUnknown()) {
                return "sendmail has no key for unconfirmed names";
            }
            if (p.subtree()) {
                if (!names.contains(new NamePattern(p.name(), false))) {
                    notes.add(r.ref() + ": " + tag + p.name() + " also matches " + p.name() + " itself");
                }
                keys.add(tag + p.name());
            } else if (!names.contains(new NamePattern(p.name(), true))) {
                notes.add(r.ref() + ": " + tag + p.name() + " also matches the names below " + p.name());
                keys.add(tag + p.name());
            }
        }
        return null;
    }

    private static String addresses(List<AddressPattern> list, String tag, List<String> keys, List<String> notes,
            Rule r) {
        for (AddressPattern p : list) {
            switch (p.kind()) {
                case NULL_SENDER -> keys.add(tag + "<>");
                case MAILBOX, LOCAL_PART -> keys.add(tag + p);
                case DOMAIN, SUBTREE -> {
                    boolean pair = list.contains(new AddressPattern(p.kind() == AddressPattern.Kind.DOMAIN
                            ? AddressPattern.Kind.SUBTREE : AddressPattern.Kind.DOMAIN, null, p.domain()));
                    if (!pair) {
                        notes.add(r.ref() + ": " + tag + p.domain() + " matches " + p.domain()
                                + " and the domains below it");
                        keys.add(tag + p.domain());
                    } else if (p.kind() == AddressPattern.Kind.DOMAIN) {
                        keys.add(tag + p.domain());
                    }
                }
            }
        }
        return null;
    }
}
