package org.mxguard.spool;

import org.mxguard.mail.Envelope;
import org.mxguard.mail.QueueId;

/**
 * A committed message as the spool knows it.
 *
 * @param id its queue id
 * @param envelope as accepted; never changes
 * @param size the stored content's size in octets
 * @param state where delivery stands
 */
public record QueuedMessage(QueueId id, Envelope envelope, long size, DeliveryState state) {
}
