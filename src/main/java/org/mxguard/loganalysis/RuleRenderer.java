package org.mxguard.loganalysis;

import java.time.LocalDate;
import java.util.List;

/**
 * Writes proposals as rules ready to load: mxguard's own rule file, a sendmail access map, or a
 * Postfix {@code cidr:} table. Each rule follows a comment with its evidence and its expiry.
 * The only place that knows the rule syntaxes, so it is the one place to change when they move.
 */
public final class RuleRenderer {

    /** The rule languages. */
    public enum Format {
        MXGUARD, SENDMAIL, POSTFIX_CIDR
    }

    // The seed's reply: a correct MTA retries later (and reaches the primary); EMS never does.
    private static final String REPLY = "451 4.7.1 Relaying Denied";

    private RuleRenderer() {
    }

    public static String render(Format format, List<Proposal> proposals, LocalDate expires) {
        StringBuilder b = new StringBuilder();
        b.append(switch (format) {
            case MXGUARD -> "# mxguard rules proposed by `mxguard analyze`: refuse null-sender relaying from\n"
                    + "# these sources until the expiry date. Review before loading.\n";
            case SENDMAIL -> "# sendmail access map proposed by `mxguard analyze` (makemap hash access < FILE).\n"
                    + "# Connect: refuses every sender from the source, not only <>. Remove expired lines.\n";
            case POSTFIX_CIDR -> "# Postfix check_client_access cidr: table proposed by `mxguard analyze`.\n"
                    + "# It refuses every sender from the source, not only <>. Remove expired lines.\n";
        });
        for (Proposal p : proposals) {
            String comment = "# score " + p.score().value() + ": " + p.evidence() + "; expires " + expires + "\n";
            String rule = switch (format) {
                case MXGUARD -> mxguard(p, expires);
                case SENDMAIL -> sendmail(p);
                case POSTFIX_CIDR -> postfixCidr(p);
            };
            b.append(comment).append(rule).append('\n');
        }
        return b.toString();
    }

    private static String mxguard(Proposal p, LocalDate expires) {
        String match = p.kind() == Proposal.Kind.NAME ? "client-name " + p.target() : "client " + p.target();
        String reason = "null-sender mail via backup MX from dial-up style source, score " + p.score().value();
        return "tempfail from <> " + match + " until " + expires + " because \"" + reason.replace("\"", "'") + "\"";
    }

    private static String sendmail(Proposal p) {
        String key = switch (p.kind()) {
            case NAME -> p.target().substring(1);
            case ADDRESS, NETWORK -> sendmailNetwork(p.target());
        };
        if (key == null) {
            return "# (no sendmail access form for " + p.target() + ")";
        }
        return "Connect:" + key + "\tERROR:\"" + REPLY + "\"";
    }

    /** Sendmail matches networks by leading octets (IPv4) or leading groups (IPv6), so only whole ones. */
    static String sendmailNetwork(String cidr) {
        int slash = cidr.indexOf('/');
        String ip = slash < 0 ? cidr : cidr.substring(0, slash);
        java.net.InetAddress a = NetworkPrefix.parse(ip);
        if (a == null) {
            return null;
        }
        byte[] bytes = a.getAddress();
        int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        if (bytes.length == 4) {
            if (bits % 8 != 0) {
                return null;
            }
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < bits / 8; i++) {
                b.append(i == 0 ? "" : ".").append(bytes[i] & 0xff);
            }
            return b.toString();
        }
        if (bits % 16 != 0) {
            return null;
        }
        StringBuilder b = new StringBuilder("IPv6");
        for (int i = 0; i < bits / 16; i++) {
            b.append(':').append(Integer.toHexString((bytes[2 * i] & 0xff) << 8 | bytes[2 * i + 1] & 0xff));
        }
        return b.toString();
    }

    private static String postfixCidr(Proposal p) {
        if (p.kind() == Proposal.Kind.NAME) {
            return "# " + p.target().substring(1) + " is a name: put it in a hash: check_client_access table";
        }
        String target = p.target().indexOf('/') < 0
                ? p.target() + (p.target().indexOf(':') >= 0 ? "/128" : "/32") : p.target();
        return target + "\t" + REPLY;
    }
}
