package org.mxguard.delivery;

import java.time.Duration;
import java.util.List;

/**
 * The results of one delivery attempt for the recipients of one domain.
 *
 * @param setup time spent on DNS, connecting, greeting, EHLO and TLS
 * @param transfer time spent in the SMTP transactions
 */
record Attempt(List<DeliveryResult> results, Duration setup, Duration transfer) {

    Attempt {
        results = List.copyOf(results);
    }

    boolean anyDelivered() {
        return results.stream().anyMatch(r -> r instanceof DeliveryResult.Delivered);
    }
}
