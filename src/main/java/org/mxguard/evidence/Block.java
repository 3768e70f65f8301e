package org.mxguard.evidence;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A source refused for a while: a network or an rDNS subdomain, with the rule that enforces it and
 * the evidence that led to it. Automatic blocks, {@code mxguard block add} and {@code mxguard block
 * import} all end up as one of these, so they are listed, explained and removed the same way.
 *
 * @param target what is blocked: a network ({@code 192.0.2.0/24}) or a subdomain ({@code .pool.isp.example})
 * @param origin who made it
 * @param host the mxguard host that made it (the fleet shows which host made each block)
 * @param created when it was made
 * @param expires when it stops, or null for never (manual blocks only)
 * @param rule the rule that enforces it, in rule-file syntax ({@code tempfail client 192.0.2.0/24})
 * @param evidence why, in words: the counts that passed the thresholds, or the operator's reason
 */
public record Block(String target, Origin origin, String host, Instant created, Instant expires, String rule,
        String evidence) {

    /** Who made a block. */
    public enum Origin {
        /** The MX-skip rule's thresholds. */
        AUTOMATIC,
        /** {@code mxguard block add}. */
        MANUAL,
        /** {@code mxguard block import} of the analyzer's proposals. */
        IMPORTED;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public Block {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(rule, "rule");
        host = host == null ? "" : host;
        evidence = evidence == null ? "" : evidence;
    }

    public boolean expired(Instant now) {
        return expires != null && !now.isBefore(expires);
    }

    /** The same block lasting until {@code until}, with fresh evidence. */
    public Block extended(Instant until, String rule, String evidence) {
        return new Block(target, origin, host, created, until, rule, evidence);
    }

    /** One line for {@code mxguard block list}. */
    public String summary() {
        return target + "\t" + origin.word() + "\t" + (expires == null ? "never" : expires) + "\t" + host
                + "\t" + evidence;
    }
}
