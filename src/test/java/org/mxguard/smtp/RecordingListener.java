package org.mxguard.smtp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Keeps every session event; tests wait for the one they need instead of sleeping. */
final class RecordingListener implements SessionListener {

    private final List<SessionEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(SessionEvent event) {
        events.add(event);
        notifyAll();
    }

    synchronized List<SessionEvent> events() {
        return List.copyOf(events);
    }

    /** Waits (up to 5 s) for an event of the type that matches, and returns it. */
    synchronized <T extends SessionEvent> T await(Class<T> type, Predicate<T> matching) {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (true) {
            for (SessionEvent event : events) {
                if (type.isInstance(event) && matching.test(type.cast(event))) {
                    return type.cast(event);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no " + type.getSimpleName() + " event; got " + events);
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    <T extends SessionEvent> T await(Class<T> type) {
        return await(type, event -> true);
    }
}
