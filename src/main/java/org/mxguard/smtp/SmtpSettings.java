package org.mxguard.smtp;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.mxguard.policy.Cidr;

/**
 * Everything the inbound SMTP server can be told, with {@link #defaults()} that follow RFC 5321
 * and Postfix. Every setting is described in docs/smtp.md.
 *
 * @param hostname the name in the greeting, EHLO reply and Received header
 * @param listen the addresses to bind; port 0 picks a free port (tests)
 * @param protectedDomains the domains mail is accepted for: "example.org" exactly, ".example.org" for every
 *     name below it, "[192.0.2.1]" for an address literal
 * @param relayDeniedCode 550 (permanent, default) or 454 (try later, Postfix's defer_unauth_destination)
 * @param postmasterDomain where {@code RCPT TO:<postmaster>} without a domain goes (must be protected), or null
 *     to refuse it as a relay attempt
 * @param allowRoutingCharacters accept local parts containing %, ! or @ for protected domains (they are still
 *     delivered only to the protected domain)
 * @param maxCommandLine the longest command line in octets including CRLF (RFC 5321 §4.5.3.1.4: 512)
 * @param lineLengthLimit how many octets of a message line are held in memory at once (Postfix's
 *     line_length_limit); longer lines are accepted and stored whole, written out in pieces of this size
 * @param maxMessageSize the largest message in octets, advertised with SIZE (Postfix message_size_limit)
 * @param maxRecipients recipients accepted per message (RFC 5321 §4.5.3.1.8: at least 100)
 * @param maxConnections concurrent sessions in total
 * @param maxConnectionsPerClient concurrent sessions per client IP address
 * @param commandTimeout how long to wait for a command (RFC 5321 §4.5.3.2.7: at least 5 minutes)
 * @param dataTimeout how long to wait for each block of message data (RFC 5321 §4.5.3.2.5 client side: 3 minutes)
 * @param hardErrorLimit error replies in one session before 421 and disconnect (Postfix smtpd_hard_error_limit)
 * @param tlsCertificate PEM certificate chain for STARTTLS, or null for no STARTTLS
 * @param tlsKey PEM PKCS#8 private key for STARTTLS, or null
 * @param bareLineFeed what to do with a bare LF in message data
 * @param pregreetWait how long to watch for a client that talks before the greeting; zero checks only what
 *     already arrived
 * @param nameLookupTimeout the longest wait for the client's reverse name, after which it is "unknown"
 * @param junkCommandLimit NOOP, RSET, VRFY, ETRN and HELP commands a session may send before each further
 *     one counts as an error (Postfix smtpd_junk_command_limit); reset when a message is queued
 * @param connectionLimitExemptions client networks not held to {@code maxConnectionsPerClient} (Postfix
 *     exempts $mynetworks from smtpd_client_connection_count_limit); the total limit still applies
 */
public record SmtpSettings(String hostname, List<InetSocketAddress> listen, List<String> protectedDomains,
        int relayDeniedCode, String postmasterDomain, boolean allowRoutingCharacters, int maxCommandLine,
        int lineLengthLimit, long maxMessageSize, int maxRecipients, int maxConnections, int maxConnectionsPerClient,
        Duration commandTimeout, Duration dataTimeout, int hardErrorLimit, Path tlsCertificate, Path tlsKey,
        BareLineFeed bareLineFeed, Duration pregreetWait, Duration nameLookupTimeout, int junkCommandLimit,
        List<Cidr> connectionLimitExemptions) {

    /** What a bare LF (one not preceded by CR) in DATA does; see docs/smtp.md. */
    public enum BareLineFeed {
        /** Refuse the message at the end of DATA: 550 5.5.2 Error: bare &lt;LF&gt; received (Postfix 3.9 "yes"). */
        REJECT,
        /** Accept it and store the LF as CRLF; only CRLF.CRLF still ends the message (Postfix "normalize"). */
        NORMALIZE
    }

    public SmtpSettings {
        if (hostname == null || hostname.isBlank() || hostname.chars().anyMatch(c -> c <= ' ')) {
            throw new IllegalArgumentException("hostname must be a name without spaces: " + hostname);
        }
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("listen needs at least one address");
        }
        protectedDomains = List.copyOf(protectedDomains);
        connectionLimitExemptions = List.copyOf(connectionLimitExemptions);
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        Objects.requireNonNull(bareLineFeed, "bareLineFeed");
        Objects.requireNonNull(pregreetWait, "pregreetWait");
        Objects.requireNonNull(nameLookupTimeout, "nameLookupTimeout");
        if (relayDeniedCode != 550 && relayDeniedCode != 454) {
            throw new IllegalArgumentException("relayDeniedCode must be 550 or 454: " + relayDeniedCode);
        }
        if (maxCommandLine < 512) {
            throw new IllegalArgumentException("maxCommandLine must be at least 512 (RFC 5321 §4.5.3.1.4): "
                    + maxCommandLine);
        }
        if (lineLengthLimit < 1000) {
            throw new IllegalArgumentException("lineLengthLimit must be at least 1000: " + lineLengthLimit);
        }
        if (maxRecipients < 1 || maxMessageSize < 1 || maxConnections < 1 || maxConnectionsPerClient < 1
                || hardErrorLimit < 1 || junkCommandLimit < 1) {
            throw new IllegalArgumentException("maxRecipients, maxMessageSize, maxConnections, "
                    + "maxConnectionsPerClient, hardErrorLimit and junkCommandLimit must be positive");
        }
        if ((tlsCertificate == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tlsCertificate and tlsKey are set together");
        }
    }

    /** The defaults, listening on port 25 of every address, protecting nothing until told. */
    public static SmtpSettings defaults() {
        return new SmtpSettings("localhost", List.of(new InetSocketAddress(25)), List.of(), 550, null, false,
                512, 2048, 10_240_000, 100, 100, 50, Duration.ofMinutes(5), Duration.ofMinutes(3), 20, null, null,
                BareLineFeed.REJECT, Duration.ZERO, Duration.ofSeconds(10), 100, List.of());
    }

    public boolean tlsEnabled() {
        return tlsCertificate != null;
    }

    public SmtpSettings withHostname(String value) {
        return new SmtpSettings(value, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withListen(List<InetSocketAddress> value) {
        return new SmtpSettings(hostname, value, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withProtectedDomains(List<String> value) {
        return new SmtpSettings(hostname, listen, value, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withRelayControl(int deniedCode, String postmaster, boolean routingCharacters) {
        return new SmtpSettings(hostname, listen, protectedDomains, deniedCode, postmaster,
                routingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withLimits(long messageSize, int recipients, int connections, int connectionsPerClient,
            int hardErrors) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, messageSize, recipients, connections,
                connectionsPerClient, commandTimeout, dataTimeout, hardErrors, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withTimeouts(Duration command, Duration data) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, command, data, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withTls(Path certificate, Path key) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, certificate, key,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withBareLineFeed(BareLineFeed value) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                value, pregreetWait, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withPregreetWait(Duration value) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, value, nameLookupTimeout, junkCommandLimit, connectionLimitExemptions);
    }

    public SmtpSettings withJunkCommandLimit(int value) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, value, connectionLimitExemptions);
    }

    public SmtpSettings withConnectionLimitExemptions(List<Cidr> value) {
        return new SmtpSettings(hostname, listen, protectedDomains, relayDeniedCode, postmasterDomain,
                allowRoutingCharacters, maxCommandLine, lineLengthLimit, maxMessageSize, maxRecipients, maxConnections,
                maxConnectionsPerClient, commandTimeout, dataTimeout, hardErrorLimit, tlsCertificate, tlsKey,
                bareLineFeed, pregreetWait, nameLookupTimeout, junkCommandLimit, value);
    }
}
