package org.mxguard.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;

/**
 * The per-destination concurrency limit ({@code delivery.destination-concurrency}), as Postfix's
 * queue manager keeps it: a message whose destination is at its limit does not wait in a thread of
 * its own, holding one of the overall delivery slots, but in a per-destination line, and is handed
 * back to the schedule when an attempt to that destination ends. So a destination that holds every
 * attempt for long (a tarpit, a primary that hangs) with thousands of messages queued for it costs
 * no more threads than its limit, and never delays the mail of other destinations. Thread-safe.
 */
final class DestinationSlots {

    private final int limit;
    private final Map<Domain, Integer> inUse = new HashMap<>();
    private final Map<Domain, ArrayDeque<QueueId>> waiting = new HashMap<>();

    DestinationSlots(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("destination concurrency must be at least 1");
        }
        this.limit = limit;
    }

    /**
     * Takes a slot at every one of the message's destinations, or none: if one of them is at its
     * limit, the message joins that destination's line and false is returned.
     */
    synchronized boolean take(Collection<Domain> destinations, QueueId id) {
        for (Domain d : destinations) {
            if (inUse.getOrDefault(d, 0) >= limit) {
                waiting.computeIfAbsent(d, k -> new ArrayDeque<>()).add(id);
                return false;
            }
        }
        for (Domain d : destinations) {
            inUse.merge(d, 1, Integer::sum);
        }
        return true;
    }

    /** Gives back the slots {@link #take} took; returns the messages next in line for them, to try now. */
    synchronized List<QueueId> release(Collection<Domain> destinations) {
        List<QueueId> next = new ArrayList<>();
        for (Domain d : destinations) {
            inUse.computeIfPresent(d, (k, n) -> n > 1 ? n - 1 : null);
            ArrayDeque<QueueId> line = waiting.get(d);
            if (line != null) {
                next.add(line.poll());
                if (line.isEmpty()) {
                    waiting.remove(d);
                }
            }
        }
        return next;
    }

    /** Messages waiting in line for a destination at its limit. */
    synchronized int waiting() {
        return waiting.values().stream().mapToInt(ArrayDeque::size).sum();
    }
}
