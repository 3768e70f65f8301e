package org.mxguard.delivery;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a backup MX knows which recipients exist, so that it refuses unknown ones at RCPT instead
 * of bouncing them later (backscatter). Documented in docs/delivery.md.
 *
 * @param file valid recipients, one per line, as Postfix's relay_recipient_maps (a domain with no
 *     line in the file is not restricted by it), or null for none
 * @param verify ask the primary about each new recipient (Postfix's reject_unverified_recipient)
 * @param positiveRefresh a known recipient is asked about again after this long (7 d)
 * @param positiveExpire a known recipient is still taken while the primary is down this long (31 d)
 * @param negativeRefresh an unknown recipient is asked about again after this long (3 h)
 * @param negativeExpire an unknown recipient is still refused while the primary is down this long (3 d)
 * @param timeout the longest a verification may take, connection and every reply included (10 s)
 */
public record RecipientSettings(Path file, boolean verify, Duration positiveRefresh, Duration positiveExpire,
        Duration negativeRefresh, Duration negativeExpire, Duration timeout) {

    /** Postfix's address_verify_* defaults; no file, no verification. */
    public static final RecipientSettings DEFAULTS = new RecipientSettings(null, false, Duration.ofDays(7),
            Duration.ofDays(31), Duration.ofHours(3), Duration.ofDays(3), Duration.ofSeconds(10));

    public RecipientSettings {
        for (Duration d : new Duration[] {positiveRefresh, positiveExpire, negativeRefresh, negativeExpire, timeout}) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("delivery.recipients durations must be positive: " + d);
            }
        }
        if (positiveRefresh.compareTo(positiveExpire) > 0 || negativeRefresh.compareTo(negativeExpire) > 0) {
            throw new IllegalArgumentException("delivery.recipients: a refresh time must not exceed its expire time");
        }
    }

    public RecipientSettings withFile(Path recipients) {
        return new RecipientSettings(recipients, verify, positiveRefresh, positiveExpire, negativeRefresh,
                negativeExpire, timeout);
    }

    public RecipientSettings withVerify(boolean on) {
        return new RecipientSettings(file, on, positiveRefresh, positiveExpire, negativeRefresh, negativeExpire,
                timeout);
    }
}
