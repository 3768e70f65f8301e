package org.mxguard.spool;

import java.time.Instant;
import java.util.List;
import org.mxguard.mail.MailAddress;

/**
 * The mutable part of a queued message, owned by delivery and stored by the spool.
 *
 * @param pending recipients not yet delivered or bounced
 * @param attempts delivery attempts made so far
 * @param nextAttempt when the next attempt is due
 * @param lastError the last temporary failure ("host mx.example[192.0.2.1] said: 451 ..."), or null
 * @param held true while the postmaster holds the message (never delivered until released)
 * @param warned true once a delay warning was sent
 */
public record DeliveryState(List<MailAddress> pending, int attempts, Instant nextAttempt, String lastError,
        boolean held, boolean warned) {

    public DeliveryState {
        pending = List.copyOf(pending);
    }

    /** The state of a message just accepted: everyone pending, due now. */
    public static DeliveryState initial(List<MailAddress> recipients, Instant now) {
        return new DeliveryState(recipients, 0, now, null, false, false);
    }
}
