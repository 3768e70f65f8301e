package org.mxguard.dns;

import java.net.InetAddress;
import java.util.List;

/** The outcome of an address (A and AAAA) or PTR lookup. */
public sealed interface AddressResult {

    /**
     * The name has addresses.
     *
     * @param addresses IPv4 addresses first, then IPv6, each in the server's order
     */
    record Found(List<InetAddress> addresses) implements AddressResult {
        public Found {
            addresses = List.copyOf(addresses);
        }
    }

    /** The name does not exist (NXDOMAIN) or has no address records (NODATA): a permanent answer. */
    record NotFound(String reason) implements AddressResult {
    }

    /** No answer now (SERVFAIL, timeout, network error): ask again later. */
    record TemporaryFailure(String reason) implements AddressResult {
    }
}
