package org.mxguard.dns;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * Where and how mxguard asks DNS questions.
 *
 * @param servers the recursive resolvers to ask, in order; empty means the system's resolvers
 *     (/etc/resolv.conf on Unix)
 * @param timeout how long to wait for one server's answer before trying the next
 * @param retries how many times each server is asked before a lookup is a temporary failure
 */
public record DnsSettings(List<InetSocketAddress> servers, Duration timeout, int retries) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRIES = 2;

    public DnsSettings {
        servers = List.copyOf(servers);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("dns timeout must be positive: " + timeout);
        }
        if (retries < 1) {
            throw new IllegalArgumentException("dns retries must be at least 1: " + retries);
        }
    }

    /** The system's resolvers with the default timeout and retries. */
    public static DnsSettings system() {
        return new DnsSettings(List.of(), DEFAULT_TIMEOUT, DEFAULT_RETRIES);
    }

    /** One server, as tests use a DNS server on a loopback port. */
    public static DnsSettings server(InetSocketAddress server, Duration timeout) {
        return new DnsSettings(List.of(server), timeout, 1);
    }
}
