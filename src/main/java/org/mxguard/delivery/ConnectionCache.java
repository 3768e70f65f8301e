package org.mxguard.delivery;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Idle SMTP connections kept for a moment after a transaction, so the next message to the same
 * address skips connect, greeting, EHLO and TLS (Postfix's connection cache, which matters most
 * when a flush sends a backlog to a primary that just came back). Connections idle longer than the
 * reuse time are closed, never handed out.
 */
final class ConnectionCache implements AutoCloseable {

    record Idle(ClientConnection connection, Map<String, String> extensions, long parkedAt) {
    }

    private final long reuseNanos;
    private final Map<Target, Deque<Idle>> idle = new HashMap<>();

    ConnectionCache(Duration reuseTime) {
        this.reuseNanos = reuseTime.toNanos();
    }

    boolean enabled() {
        return reuseNanos > 0;
    }

    /** A fresh-enough idle connection to the target, or null. */
    synchronized Idle take(Target target) {
        sweep(System.nanoTime());
        Deque<Idle> connections = idle.get(target);
        Idle connection = connections == null ? null : connections.pollFirst();
        if (connections != null && connections.isEmpty()) {
            idle.remove(target);
        }
        return connection;
    }

    synchronized void park(Target target, ClientConnection connection, Map<String, String> extensions) {
        long now = System.nanoTime();
        sweep(now);
        idle.computeIfAbsent(target, t -> new ArrayDeque<>()).addFirst(new Idle(connection, Map.copyOf(extensions), now));
    }

    private void sweep(long now) {
        Iterator<Deque<Idle>> targets = idle.values().iterator();
        while (targets.hasNext()) {
            Deque<Idle> connections = targets.next();
            connections.removeIf(c -> {
                boolean stale = now - c.parkedAt() > reuseNanos;
                if (stale) {
                    c.connection().close();
                }
                return stale;
            });
            if (connections.isEmpty()) {
                targets.remove();
            }
        }
    }

    @Override
    public synchronized void close() {
        for (Deque<Idle> connections : idle.values()) {
            for (Idle c : connections) {
                c.connection().close();
            }
        }
        idle.clear();
    }
}
