package org.mxguard.dns;

import java.net.InetAddress;

/**
 * Finds the name of an SMTP client as Postfix does: a PTR lookup whose name resolves back to the
 * same address; anything else (no PTR, mismatch, timeout) is "unknown".
 */
@FunctionalInterface
public interface ClientNameLookup {

    /** A lookup that never finds a name, for deployments that turn reverse lookups off. */
    ClientNameLookup NONE = address -> "unknown";

    /** The forward-confirmed name in lower case without a trailing dot, or "unknown". Never throws. */
    String verifiedName(InetAddress address);
}
