package org.mxguard.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mxguard.mail.Domain;
import org.mxguard.mail.QueueId;

/**
 * The scheduler's memory: which queue id is due when, which ids an attempt is running for, and
 * which domains each deferred id waits for (so a flush finds them). Nothing else about a message
 * is kept here. Thread-safe.
 *
 * <p>An id is in one of three states: scheduled (has a due time), running (taken by
 * {@link #takeDue}, until {@link #finished}), or unknown (delivered, held, deleted). Rescheduling
 * leaves the old queue entry behind; entries whose time no longer matches are skipped when taken.
 */
public final class Schedule {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Due> queue = new PriorityQueue<>();
    private final Map<QueueId, Instant> dueTimes = new HashMap<>();
    private final Set<QueueId> running = new HashSet<>();
    private final Map<Domain, Set<QueueId>> waitingFor = new HashMap<>();
    private final Map<QueueId, Set<Domain>> domainsOf = new HashMap<>();
    /** Ids that came due while their attempt was running: their end must wake the queue manager. */
    private final Set<QueueId> dueWhileRunning = new HashSet<>();
    /**
     * True when the last {@link #takeDue} left due ids behind for want of a free delivery slot: the
     * queue manager then waits for the end of an attempt, not for the (past) due time of the head.
     */
    private boolean backlog;

    void at(QueueId id, Instant due) {
        lock.lock();
        try {
            dueTimes.put(id, due);
            queue.add(new Due(due, id));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Schedules an id only if nothing else scheduled it meanwhile. */
    void atIfUnscheduled(QueueId id, Instant due) {
        lock.lock();
        try {
            if (!dueTimes.containsKey(id)) {
                at(id, due);
            }
        } finally {
            lock.unlock();
        }
    }

    void forget(QueueId id) {
        lock.lock();
        try {
            dueTimes.remove(id);
            unindex(id);
        } finally {
            lock.unlock();
        }
    }

    /** Records the domains a deferred id still has recipients in, replacing what was known. */
    void waiting(QueueId id, Collection<Domain> domains) {
        lock.lock();
        try {
            unindex(id);
            Set<Domain> set = new HashSet<>(domains);
            for (Domain d : set) {
                waitingFor.computeIfAbsent(d, k -> new HashSet<>()).add(id);
            }
            domainsOf.put(id, set);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes every scheduled id waiting for the domain due now, except those being attempted right
     * now: their attempt has just given them a fresh answer.
     */
    void dueNow(Domain domain, Instant now) {
        lock.lock();
        try {
            Set<QueueId> ids = waitingFor.get(domain);
            if (ids != null) {
                for (QueueId id : List.copyOf(ids)) {
                    if (dueTimes.containsKey(id) && !running.contains(id)) {
                        at(id, now);
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    void allDueNow(Instant now) {
        lock.lock();
        try {
            for (QueueId id : List.copyOf(dueTimes.keySet())) {
                at(id, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code limit} ids due by {@code now} whose attempt is not already running, oldest
     * first, and marks them running.
     */
    List<QueueId> takeDue(Instant now, int limit) {
        List<QueueId> due = new ArrayList<>();
        List<Due> postponed = new ArrayList<>();
        lock.lock();
        try {
            backlog = false;
            while (!queue.isEmpty() && !queue.peek().time().isAfter(now)) {
                if (due.size() >= limit) {
                    backlog = true;
                    break;
                }
                Due next = queue.poll();
                Instant current = dueTimes.get(next.id());
                if (current == null || !current.equals(next.time())) {
                    continue;
                }
                if (running.contains(next.id())) {
                    postponed.add(next);
                    dueWhileRunning.add(next.id());
                    continue;
                }
                dueTimes.remove(next.id());
                running.add(next.id());
                due.add(next.id());
            }
            // An attempt for these is still running; they are taken once it has finished.
            queue.addAll(postponed);
        } finally {
            lock.unlock();
        }
        return due;
    }

    void finished(QueueId id) {
        lock.lock();
        try {
            running.remove(id);
            // Only an id that came due meanwhile, or a backlog waiting for this attempt's slot, needs
            // the queue manager now; waking it after every attempt cost a thread hand-off per message.
            if (dueWhileRunning.remove(id) | backlog) {
                backlog = false;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    Optional<Instant> nextDue() {
        lock.lock();
        try {
            return dueTimes.values().stream().min(Instant::compareTo);
        } finally {
            lock.unlock();
        }
    }

    List<Domain> waitingDomains() {
        lock.lock();
        try {
            return List.copyOf(waitingFor.keySet());
        } finally {
            lock.unlock();
        }
    }

    /** Waits until something changes, the head of the queue is due, or {@code until}, at most a minute. */
    void awaitChange(Instant now, Instant until) throws InterruptedException {
        lock.lock();
        try {
            Instant wake = until;
            Due head = queue.peek();
            if (head != null && !backlog && head.time().isBefore(wake)) {
                wake = head.time();
            }
            long millis = Math.max(1, Duration.between(now, wake).toMillis());
            changed.await(Math.min(millis, 60_000), TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void unindex(QueueId id) {
        Set<Domain> domains = domainsOf.remove(id);
        if (domains == null) {
            return;
        }
        for (Domain d : domains) {
            Set<QueueId> ids = waitingFor.get(d);
            if (ids != null) {
                ids.remove(id);
                if (ids.isEmpty()) {
                    waitingFor.remove(d);
                }
            }
        }
    }

    private record Due(Instant time, QueueId id) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int c = time.compareTo(other.time);
            return c != 0 ? c : id.compareTo(other.id);
        }
    }
}
