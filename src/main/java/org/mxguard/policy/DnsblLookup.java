package org.mxguard.policy;

import java.net.InetAddress;
import java.util.List;

/**
 * Asks a DNS block list about a client (RFC 5782 §2.1: the address's octets reversed under the
 * zone, A records back). The DNS package implements it; the policy only reads the answers.
 */
@FunctionalInterface
public interface DnsblLookup {

    /** A lookup that finds nothing listed, for deployments without DNSBLs and for tests. */
    DnsblLookup NONE = (zone, client) -> List.of();

    /**
     * The A records found for the client under {@code zone}, empty when it is not listed or the
     * lookup failed or timed out. Should not throw; the policy treats an exception as "not listed".
     */
    List<InetAddress> lookup(String zone, InetAddress client);
}
