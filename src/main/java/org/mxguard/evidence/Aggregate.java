package org.mxguard.evidence;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The clients the MX-skip rule caught in one source (a network or an rDNS subdomain), summed: what
 * the automatic block thresholds are checked against. Holds at most {@link #MAX_CLIENTS} distinct
 * addresses, so its size is bounded whatever the traffic.
 *
 * @param source the network ({@code 192.0.2.0/24}) or subdomain ({@code .pool.isp.example})
 * @param clients distinct client addresses caught, at most {@link #MAX_CLIENTS}
 * @param attempts refused (or, in observe mode, would-be refused) recipients
 * @param nullSender how many of those had the null sender
 * @param first the first catch
 * @param last the latest catch
 */
public record Aggregate(String source, Set<String> clients, long attempts, long nullSender, Instant first,
        Instant last) {

    /** Enough for any threshold; more distinct clients only confirm it. */
    public static final int MAX_CLIENTS = 256;

    public Aggregate {
        clients = Set.copyOf(clients);
    }

    static Aggregate first(String source, String client, boolean nullSender, Instant at) {
        return new Aggregate(source, Set.of(client), 1, nullSender ? 1 : 0, at, at);
    }

    /** This aggregate with one more catch. */
    Aggregate plus(String client, boolean isNullSender, Instant at) {
        Set<String> more = clients;
        if (!clients.contains(client) && clients.size() < MAX_CLIENTS) {
            more = new LinkedHashSet<>(clients);
            more.add(client);
        }
        return new Aggregate(source, more, attempts + 1, nullSender + (isNullSender ? 1 : 0), first,
                at.isAfter(last) ? at : last);
    }

    /** The share of attempts with the null sender, 0..1. */
    public double nullSenderShare() {
        return attempts == 0 ? 0 : (double) nullSender / attempts;
    }

    /** This aggregate and another host's of the same source, summed: what the fleet caught there. */
    Aggregate and(Aggregate other) {
        Set<String> all = new LinkedHashSet<>(clients);
        for (String c : other.clients) {
            if (all.size() >= MAX_CLIENTS) {
                break;
            }
            all.add(c);
        }
        return new Aggregate(source, all, attempts + other.attempts, nullSender + other.nullSender,
                first.isBefore(other.first) ? first : other.first, last.isAfter(other.last) ? last : other.last);
    }
}
