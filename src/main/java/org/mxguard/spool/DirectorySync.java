package org.mxguard.spool;

import java.io.IOException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for a directory's fsync: makes the callers' renames (and unlinks) durable with as
 * few fsyncs as possible, and without a timer.
 *
 * <p>A caller that has finished its rename joins the open round. If no fsync is running it leads:
 * it closes the round, fsyncs, and completes every member of that round. Callers arriving while
 * that fsync runs join the next round, whose first waiter leads it as soon as the running one ends.
 * So under load one fsync covers everyone who renamed during the previous fsync, and a lone caller
 * pays exactly one fsync with no added delay. An fsync started after a rename covers it, so no
 * caller is completed by an fsync that began before its rename.
 *
 * <p>If the fsync fails, every member of that round fails: after a failed fsync Linux may report
 * success on the next one without having written anything, so no later round can vouch for it.
 */
final class DirectorySync {

    /** The fsync itself, so tests can make it slow or fail. */
    interface Fsync {
        void run() throws IOException;
    }

    private static final class Round {
        boolean done;
        IOException failure;
        int members;
    }

    private final Fsync fsync;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundDone = lock.newCondition();
    private Round open = new Round();
    private boolean running;
    private long fsyncs;

    DirectorySync(Fsync fsync) {
        this.fsync = fsync;
    }

    /** Returns once an fsync that started after this call has completed; throws if it failed. */
    void sync() throws IOException {
        Round mine;
        lock.lock();
        try {
            mine = open;
            mine.members++;
            while (!mine.done) {
                if (running) {
                    roundDone.awaitUninterruptibly();
                    continue;
                }
                running = true;
                open = new Round();
                fsyncs++;
                lock.unlock();
                IOException failure = null;
                try {
                    fsync.run();
                } catch (IOException e) {
                    failure = e;
                } catch (RuntimeException e) {
                    failure = new IOException("directory fsync failed", e);
                } finally {
                    lock.lock();
                }
                mine.failure = failure;
                mine.done = true;
                running = false;
                roundDone.signalAll();
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            throw new IOException("directory fsync failed for a batch of " + mine.members + ": "
                    + mine.failure.getMessage(), mine.failure);
        }
    }

    /** Callers waiting for the next fsync (a test hook for proving batching without timing). */
    int waiting() {
        lock.lock();
        try {
            return open.members;
        } finally {
            lock.unlock();
        }
    }

    /** fsyncs run so far. */
    long fsyncs() {
        lock.lock();
        try {
            return fsyncs;
        } finally {
            lock.unlock();
        }
    }
}
