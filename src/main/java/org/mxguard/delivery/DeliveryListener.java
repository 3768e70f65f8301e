package org.mxguard.delivery;

import org.mxguard.mail.QueueId;

/**
 * Receives the result of every recipient's delivery attempt, as it is written to the mail log:
 * metrics and the dashboard subscribe here. Called on the delivery thread, so it must be quick and
 * thread-safe; an exception it throws is logged and never harms the delivery.
 */
@FunctionalInterface
public interface DeliveryListener {

    void onResult(QueueId id, DeliveryResult result);
}
