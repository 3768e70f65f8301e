package org.mxguard.smtp;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.policy.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts open sessions in total and per client address, like Postfix's anvil, and says when the
 * server is under stress: at least four fifths of the slots taken. Under stress a client already
 * holding a tenth of the per-client limit gets no more slots, so the last fifth stays free for
 * clients that hold few (a handful of addresses cannot lock everyone out), and sessions switch to
 * {@link SessionLimits#stress}. Exempt networks (Postfix's $mynetworks) have no per-client limit.
 * Thread-safe.
 */
final class ConnectionLimits {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimits.class);

    private final int maxTotal;
    private final int maxPerClient;
    private final int stressPerClient;
    private final int stressThreshold;
    private final List<Cidr> exempt;
    private final Map<InetAddress, Integer> perClient = new HashMap<>();
    private int total;
    private boolean stressed;

    ConnectionLimits(int maxTotal, int maxPerClient, List<Cidr> exempt) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
        this.stressPerClient = Math.max(1, maxPerClient / 10);
        this.stressThreshold = maxTotal - maxTotal / 5;
        this.exempt = List.copyOf(exempt);
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
        if (!isExempt(client) && current >= (total >= stressThreshold ? stressPerClient : maxPerClient)) {
            return "too many connections from this client";
        }
        total++;
        perClient.put(client, current + 1);
        if (!stressed && total >= stressThreshold) {
            stressed = true;
            LOG.warn("{} of {} SMTP connection slots taken: stress mode (short timeouts, one error, "
                    + "at most {} connections per client for new ones)", total, maxTotal, stressPerClient);
        }
        return null;
    }

    synchronized void release(InetAddress client) {
        total--;
        perClient.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
        if (stressed && total < stressThreshold) {
            stressed = false;
            LOG.info("{} of {} SMTP connection slots taken: stress mode over", total, maxTotal);
        }
    }

    /** True while at least four fifths of the slots are taken. */
    synchronized boolean underStress() {
        return total >= stressThreshold;
    }

    private boolean isExempt(InetAddress client) {
        if (exempt.isEmpty()) {
            return false;
        }
        Cidr address = Cidr.of(client);
        for (Cidr network : exempt) {
            if (network.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
