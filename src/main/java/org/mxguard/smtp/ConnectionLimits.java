package org.mxguard.smtp;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/** Counts open sessions in total and per client address, like Postfix's anvil. Thread-safe. */
final class ConnectionLimits {

    private final int maxTotal;
    private final int maxPerClient;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;

    ConnectionLimits(int maxTotal, int maxPerClient) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
    }

    /**
     * Takes a slot for a new connection.
     *
     * @return null if taken (release it later), or why not
     */
    synchronized String tryAcquire(InetAddress client) {
        if (total >= maxTotal) {
            return "too many connections";
        }
        int current = perClient.getOrDefault(client, 0);
        if (current >= maxPerClient) {
            return "too many connections from this client";
        }
        total++;
        perClient.put(client, current + 1);
        return null;
    }

    synchronized void release(InetAddress client) {
        total--;
        perClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
    }
}
