package org.mxguard.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;

/**
 * Everything delivery can be told. Every field and its default is documented in docs/delivery.md.
 *
 * @param hostname this host's name: EHLO argument, Reporting-MTA and MAILER-DAEMON@hostname
 * @param ownNames other names mxguard is known by in MX records (RFC 5321 §5.1), besides hostname
 * @param ownAddresses addresses mxguard is known by besides its interfaces' (NAT, load balancers)
 * @param interfaceAddresses true to also count every address of every local interface as itself
 * @param routes domain to fixed next hop, overriding DNS
 * @param smtpPort the port of MX hosts (25)
 * @param minBackoff the shortest retry delay (300 s, Postfix minimal_backoff_time)
 * @param maxBackoff the longest retry delay (4000 s, Postfix maximal_backoff_time)
 * @param jitter the retry delay is multiplied by a random factor in [1 - jitter, 1 + jitter] (0.1)
 * @param lifetime how long a message may wait before it is returned to its sender (5 d)
 * @param delayWarning when to tell the sender that a message is still waiting, or null for never
 * @param maxConcurrency deliveries in progress at once (100)
 * @param destinationConcurrency deliveries in progress at once to one domain (20)
 * @param recipientsPerTransaction recipients per SMTP transaction (50, Postfix's default)
 * @param mxAddressLimit MX addresses tried per delivery attempt (5, Postfix smtp_mx_address_limit)
 * @param timeouts SMTP client timeouts per stage
 * @param tls STARTTLS use
 * @param probeInterval how often a destination with deferred mail has its SMTP banner checked
 * @param postmasterCopy where undeliverable mail from {@code <>} is reported, or null to only log it
 * @param connectionReuseTime how long an idle SMTP connection is kept for the next message to the
 *     same address (2 s, Postfix smtp_connection_cache_time_limit); zero turns reuse off
 * @param listen where this host's own SMTP server listens: a static route to one of these is a loop
 * @param tlsCaFile PEM file of the certificate authorities that {@link TlsMode#VERIFY} trusts, or
 *     null for the JDK's own trust store
 */
public record DeliverySettings(String hostname, List<String> ownNames, List<InetAddress> ownAddresses,
        boolean interfaceAddresses, Map<Domain, StaticRoute> routes, int smtpPort, Duration minBackoff,
        Duration maxBackoff, double jitter, Duration lifetime, Duration delayWarning, int maxConcurrency,
        int destinationConcurrency, int recipientsPerTransaction, int mxAddressLimit, SmtpTimeouts timeouts,
        TlsMode tls, Duration probeInterval, MailAddress postmasterCopy, Duration connectionReuseTime,
        List<InetSocketAddress> listen, Path tlsCaFile) {

    public DeliverySettings {
        if (hostname == null || hostname.isBlank()) {
            throw new IllegalArgumentException("delivery.hostname must be set");
        }
        ownNames = List.copyOf(ownNames);
        ownAddresses = List.copyOf(ownAddresses);
        listen = List.copyOf(listen);
        routes = Map.copyOf(routes);
        requirePositive("delivery.min-backoff", minBackoff);
        requirePositive("delivery.max-backoff", maxBackoff);
        requirePositive("delivery.queue-lifetime", lifetime);
        requirePositive("delivery.probe-interval", probeInterval);
        if (delayWarning != null) {
            requirePositive("delivery.delay-warning", delayWarning);
        }
        if (maxBackoff.compareTo(minBackoff) < 0) {
            throw new IllegalArgumentException("delivery.max-backoff " + maxBackoff + " is below delivery.min-backoff "
                    + minBackoff);
        }
        if (jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("delivery.jitter must be in [0, 1): " + jitter);
        }
        if (smtpPort < 1 || smtpPort > 65535) {
            throw new IllegalArgumentException("delivery.smtp-port out of range: " + smtpPort);
        }
        if (maxConcurrency < 1 || destinationConcurrency < 1 || recipientsPerTransaction < 1 || mxAddressLimit < 1) {
            throw new IllegalArgumentException("delivery concurrency, recipient and address limits must be at least 1");
        }
        if (connectionReuseTime == null || connectionReuseTime.isNegative()) {
            throw new IllegalArgumentException("delivery.connection-reuse-time must be zero or positive: "
                    + connectionReuseTime);
        }
        if (timeouts == null || tls == null) {
            throw new IllegalArgumentException("delivery.timeouts and delivery.tls must be set");
        }
    }

    /** The defaults, as Postfix's where Postfix has one. */
    public static DeliverySettings defaults(String hostname) {
        return new DeliverySettings(hostname, List.of(), List.of(), true, Map.of(), 25, Duration.ofSeconds(300),
                Duration.ofSeconds(4000), 0.1, Duration.ofDays(5), null, 100, 20, 50, 5, SmtpTimeouts.DEFAULTS,
                TlsMode.MAY, Duration.ofSeconds(300), null, Duration.ofSeconds(2), List.of(), null);
    }

    public DeliverySettings withRoutes(Map<Domain, StaticRoute> newRoutes) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, newRoutes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withIdentity(List<String> names, List<InetAddress> addresses, boolean interfaces) {
        return new DeliverySettings(hostname, names, addresses, interfaces, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withSmtpPort(int port) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, port,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withRetry(Duration min, Duration max, double newJitter, Duration newLifetime) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                min, max, newJitter, newLifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withDelayWarning(Duration warning) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, warning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withConcurrency(int overall, int perDestination) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, overall, perDestination,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withSmtp(SmtpTimeouts newTimeouts, TlsMode newTls, int recipientsLimit) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsLimit, mxAddressLimit, newTimeouts, newTls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withPostmasterCopy(MailAddress postmaster) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmaster, connectionReuseTime,
                listen, tlsCaFile);
    }

    public DeliverySettings withConnectionReuseTime(Duration reuse) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, reuse,
                listen, tlsCaFile);
    }

    public DeliverySettings withListen(List<InetSocketAddress> addresses) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                addresses, tlsCaFile);
    }

    public DeliverySettings withTlsCaFile(Path caFile) {
        return new DeliverySettings(hostname, ownNames, ownAddresses, interfaceAddresses, routes, smtpPort,
                minBackoff, maxBackoff, jitter, lifetime, delayWarning, maxConcurrency, destinationConcurrency,
                recipientsPerTransaction, mxAddressLimit, timeouts, tls, probeInterval, postmasterCopy, connectionReuseTime,
                listen, caFile);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration: " + d);
        }
    }
}
