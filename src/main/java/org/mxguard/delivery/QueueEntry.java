package org.mxguard.delivery;

import java.time.Instant;
import java.util.List;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

/**
 * One queued message as the queue admin shows it.
 *
 * @param recipients the recipients still pending
 * @param lastError the last temporary failure, or null before any failed attempt
 */
public record QueueEntry(QueueId id, Instant arrival, long size, MailAddress sender, List<MailAddress> recipients,
        String lastError, boolean held, int attempts, Instant nextAttempt) {

    public QueueEntry {
        recipients = List.copyOf(recipients);
    }
}
