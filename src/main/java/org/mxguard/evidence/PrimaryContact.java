package org.mxguard.evidence;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Objects;

/**
 * One client seen at a primary MX: the fact the MX-skip rule is built on. A client that has tried
 * the primary recently is an MTA following the MX order (RFC 5321 §5.1), whatever it then does at
 * the backup.
 *
 * @param client the client's IP address as the primary saw it
 * @param clientName its verified reverse name, or "unknown"
 * @param helo the HELO/EHLO argument, or null when the source does not say
 * @param nullSender true if the client sent {@code MAIL FROM:<>}; false when not, or not known
 * @param primary which primary MX saw it (a host name or address, for the evidence shown to users)
 * @param at when the primary saw it
 * @param source how mxguard learned it
 */
public record PrimaryContact(InetAddress client, String clientName, String helo, boolean nullSender,
        String primary, Instant at, Source source) {

    /** How a contact reached mxguard. */
    public enum Source {
        /** The primary's Postfix asked mxguard's policy delegation service. */
        POLICY_SERVICE,
        /** A line of the primary's mail log (a followed file or syslog over the network). */
        PRIMARY_LOG,
        /** Another mxguard host of the fleet. */
        FLEET
    }

    public PrimaryContact {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(source, "source");
        clientName = clientName == null || clientName.isEmpty() ? "unknown" : clientName;
        primary = primary == null ? "" : primary;
    }
}
