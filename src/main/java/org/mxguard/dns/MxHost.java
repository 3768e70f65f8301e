package org.mxguard.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * One mail exchanger of a domain with the addresses its name resolved to.
 *
 * @param name lower case, without the trailing dot
 * @param preference the MX preference; lower is more preferred
 * @param addresses IPv4 then IPv6; empty when the name did not resolve
 * @param addressError why {@code addresses} is empty ("temporary: ..." or "permanent: ..."), or null
 */
public record MxHost(String name, int preference, List<InetAddress> addresses, String addressError) {

    public MxHost {
        addresses = List.copyOf(addresses);
    }

    /** True when the name's address lookup failed for a reason that may go away. */
    public boolean addressLookupTemporarilyFailed() {
        return addressError != null && addressError.startsWith("temporary");
    }
}
