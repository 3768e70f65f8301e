package org.mxguard.dns;

import java.net.InetAddress;

/**
 * The DNS questions mxguard asks, answered as typed results. CNAME chains are followed. Every
 * method returns a result and never throws: failures are {@code TemporaryFailure} values.
 */
public interface Dns {

    /** The MX records of a name as (preference, target) pairs in the order the server gave them. */
    MxRecords mx(String name);

    /** A then AAAA records of a name. */
    AddressResult addresses(String name);

    /** Only the A records of a name, as DNSBL queries need. */
    AddressResult ipv4(String name);

    /** PTR records of an address (in-addr.arpa or ip6.arpa). */
    NameResult reverse(InetAddress address);
}
