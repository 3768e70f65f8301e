package org.mxguard.dns;

import java.util.List;

/** The outcome of looking up where mail for a domain goes (RFC 5321 §5.1). */
public sealed interface MxResult {

    /**
     * Mail exchangers, most preferred first, in random order among equal preferences.
     *
     * @param hosts at least one
     * @param implicit true when the domain had no MX records and its own address is the implicit MX
     */
    record Found(List<MxHost> hosts, boolean implicit) implements MxResult {
        public Found {
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("found means at least one MX host");
            }
        }
    }

    /** RFC 7505: the domain publishes {@code MX 0 .}, it accepts no mail. Permanent. */
    record NullMx() implements MxResult {
    }

    /** NXDOMAIN, or no MX and no address: permanent. */
    record NoSuchDomain(String reason) implements MxResult {
    }

    /** SERVFAIL, timeout or network error: ask again later. */
    record TemporaryFailure(String reason) implements MxResult {
    }
}
