package org.mxguard.evidence;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Cidr;

/**
 * The {@code mx-skip} section: the MX-skip rule and its automatic blocks.
 *
 * @param mode off, observe (log and count what it would do) or enforce
 * @param window how long a contact with a primary vouches for a client
 * @param retryInterval how long after its first refusal a client must come back with the same
 *     sender and recipient to earn retry credit, less {@link #retryTolerance()}
 * @param creditLifetime how long retry credit lasts
 * @param reply the refusal; {@code {primary}} in its text becomes the primary MX's name and
 *     {@code {evidence}} the evidence
 * @param allow networks never refused by the rule nor blocked: the primaries, partners
 * @param blocks the automatic block thresholds
 */
public record MxSkipSettings(Mode mode, Duration window, Duration retryInterval, Duration creditLifetime, Reply reply,
        List<Cidr> allow, BlockThresholds blocks) {

    /** What the rule does with a client that skipped the primary. */
    public enum Mode {
        OFF, OBSERVE, ENFORCE;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String text) {
            for (Mode m : values()) {
                if (m.word().equals(text.toLowerCase(Locale.ROOT))) {
                    return m;
                }
            }
            throw new IllegalArgumentException("must be off, observe or enforce, not '" + text + "'");
        }
    }

    /**
     * When the clients caught in one source make it blocked.
     *
     * @param enabled false: no automatic blocks (the rule still refuses one client at a time)
     * @param minClients distinct caught clients in the source
     * @param minNullSenderShare the share of caught attempts with the null sender, 0..1
     * @param expiry how long a block lasts after its latest catch
     */
    public record BlockThresholds(boolean enabled, int minClients, double minNullSenderShare, Duration expiry) {
        public BlockThresholds {
            if (minClients < 2) {
                throw new IllegalArgumentException("min-clients must be at least 2");
            }
            if (minNullSenderShare < 0 || minNullSenderShare > 1) {
                throw new IllegalArgumentException("min-null-sender-share must lie between 0 and 1");
            }
        }

        public static final BlockThresholds DEFAULTS = new BlockThresholds(true, 5, 0.5, Duration.ofDays(7));
    }

    /** In the spirit of the 1998 {@code 451 Relaying Denied}, but saying where to go. */
    public static final Reply DEFAULT_REPLY = Reply.of(451, "4.7.1",
            "Relaying Denied: deliver to the primary MX {primary} first ({evidence})");

    public MxSkipSettings {
        Objects.requireNonNull(mode, "mode");
        allow = List.copyOf(allow);
        if (!reply.isTransient()) {
            throw new IllegalArgumentException("the MX-skip reply must be 4xx (a correct MTA retries): " + reply);
        }
    }

    public static MxSkipSettings defaults() {
        return new MxSkipSettings(Mode.OBSERVE, Duration.ofHours(24), Duration.ofMinutes(5), Duration.ofDays(7),
                DEFAULT_REPLY, List.of(), BlockThresholds.DEFAULTS);
    }

    public MxSkipSettings withMode(Mode m) {
        return new MxSkipSettings(m, window, retryInterval, creditLifetime, reply, allow, blocks);
    }

    public MxSkipSettings withAllow(List<Cidr> networks) {
        return new MxSkipSettings(mode, window, retryInterval, creditLifetime, reply, networks, blocks);
    }

    public MxSkipSettings withBlocks(BlockThresholds thresholds) {
        return new MxSkipSettings(mode, window, retryInterval, creditLifetime, reply, allow, thresholds);
    }

    /**
     * How early a retry may come and still earn credit: 5 % of the retry interval, at least 10 s, but
     * never more than a tenth of the interval (a short test interval keeps most of its length).
     * Postfix counts its backoff in whole seconds and picks a deferred message up at the first queue
     * scan at or after its due second, so a retry one {@code minimal_backoff_time} (300 s, the default
     * retry interval) later can come up to a second early; without slack it would be refused again and
     * wait for Postfix's next, doubled, backoff.
     */
    public Duration retryTolerance() {
        Duration fivePercent = retryInterval.dividedBy(20);
        Duration floor = Duration.ofSeconds(10);
        Duration tenth = retryInterval.dividedBy(10);
        Duration least = floor.compareTo(tenth) < 0 ? floor : tenth;
        return fivePercent.compareTo(least) > 0 ? fivePercent : least;
    }

    /** True when a client that waited this long since its first refusal earns retry credit. */
    public boolean earnsCredit(Duration waited) {
        return waited.compareTo(retryInterval.minus(retryTolerance())) >= 0;
    }

    public boolean allowed(Cidr address) {
        for (Cidr network : allow) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
