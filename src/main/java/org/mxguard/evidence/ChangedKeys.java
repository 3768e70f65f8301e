package org.mxguard.evidence;

import java.util.Collections;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keys changed in memory and not yet written: the hand-off from the threads that record evidence
 * to the one that writes it. A key changed again before it is written is held once, so a busy key
 * costs one write per pass. At most {@code capacity} keys are held: past that a change is dropped
 * and counted, never waited for, since a caller is on a primary's or this host's SMTP path. A
 * dropped change is still in memory and decides as before; it may only be missing after a restart
 * (a client's primary contact forgotten costs it one extra {@code 451}, never a message).
 *
 * <p>No lock: adding and draining are a concurrent set and a counter, so a write pass, however
 * slow, never holds up a caller. The bound is kept within the number of threads adding at once.
 */
final class ChangedKeys {

    private static final Logger LOG = LoggerFactory.getLogger(ChangedKeys.class);
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final String what;
    private final int capacity;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final AtomicInteger size = new AtomicInteger();
    private final LongAdder dropped = new LongAdder();
    private volatile long lastLog = System.nanoTime() - LOG_EVERY_NANOS;
    private long droppedAtLastLog;

    /**
     * @param what what the keys are written to, for the log line ("evidence store /var/...")
     */
    ChangedKeys(String what, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.what = what;
        this.capacity = capacity;
    }

    /** Holds the key for the next write; false when it was dropped because {@code capacity} keys wait. */
    boolean add(String key) {
        if (size.get() >= capacity) {
            if (keys.contains(key)) {
                return true;
            }
            drop();
            return false;
        }
        if (keys.add(key)) {
            size.incrementAndGet();
        }
        return true;
    }

    private void drop() {
        dropped.increment();
        long now = System.nanoTime();
        long last = lastLog;
        if (now - last >= LOG_EVERY_NANOS) {
            lastLog = now;
            synchronized (this) {
                long total = dropped.sum();
                LOG.warn("{}: {} changes waiting to be written, {} dropped ({} since the last warning); memory still "
                        + "holds them, a restart may forget them", what, capacity, total, total - droppedAtLastLog);
                droppedAtLastLog = total;
            }
        }
    }

    /** Takes the waiting keys one by one: each is removed before it is handed out. */
    Iterator<String> drain() {
        // A ConcurrentHashMap never shrinks its table: after a burst of a million new clients an
        // iterator walks millions of empty buckets on every pass of the writer, five times a second,
        // for as long as the server runs. A key whose add has not been counted yet is taken next pass.
        if (size.get() == 0) {
            return Collections.emptyIterator();
        }
        Iterator<String> it = keys.iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public String next() {
                String key = it.next();
                if (keys.remove(key)) {
                    size.decrementAndGet();
                }
                return key;
            }
        };
    }

    int size() {
        return size.get();
    }

    int capacity() {
        return capacity;
    }

    /** Changes dropped since start because the keys were full. */
    long dropped() {
        return dropped.sum();
    }
}
