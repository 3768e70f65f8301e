package org.mxguard.policyservice;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The Postfix policy delegation service's settings, from the main configuration.
 *
 * @param listen where the primary's Postfix connects ({@code check_policy_service inet:HOST:PORT})
 * @param primary the name of the primary MX the service reports for, shown as the contact's primary;
 *     null to name the primary by the address its Postfix connects from
 * @param enforceBlocks also answer the policy's refusals to the primary (else always {@code DUNNO})
 * @param maxLineLength longest attribute line in octets, newline excluded
 * @param maxAttributes most attributes in one request
 * @param idleTimeout how long a connection may wait for its next line; longer than Postfix's
 *     {@code smtpd_policy_service_max_idle} (300 s) so that Postfix, not mxguard, closes idle connections
 * @param maxConnections concurrent connections; more are closed at once (Postfix then uses its
 *     {@code default_action})
 */
public record PolicyServiceSettings(InetSocketAddress listen, String primary, boolean enforceBlocks,
        int maxLineLength, int maxAttributes, Duration idleTimeout, int maxConnections) {

    public static final int DEFAULT_PORT = 10040;
    // Postfix 3.7 sends about 30 attributes, the longest a client certificate's subject or issuer.
    public static final int DEFAULT_MAX_LINE_LENGTH = 8192;
    public static final int DEFAULT_MAX_ATTRIBUTES = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(600);
    public static final int DEFAULT_MAX_CONNECTIONS = 1000;

    public PolicyServiceSettings {
        Objects.requireNonNull(listen, "policy-service.listen");
        if (maxLineLength < 256) {
            throw new IllegalArgumentException("policy-service.max-line-length must be at least 256: " + maxLineLength);
        }
        if (maxAttributes < 16) {
            throw new IllegalArgumentException("policy-service.max-attributes must be at least 16: " + maxAttributes);
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("policy-service.idle-timeout must be positive: " + idleTimeout);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("policy-service.max-connections must be positive: " + maxConnections);
        }
        primary = primary == null || primary.isBlank() ? null : primary.strip();
    }

    /** The defaults, listening on the given address. */
    public static PolicyServiceSettings listeningOn(InetSocketAddress listen) {
        return new PolicyServiceSettings(listen, null, false, DEFAULT_MAX_LINE_LENGTH, DEFAULT_MAX_ATTRIBUTES,
                DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
    }

    public PolicyServiceSettings withPrimary(String name) {
        return new PolicyServiceSettings(listen, name, enforceBlocks, maxLineLength, maxAttributes, idleTimeout,
                maxConnections);
    }

    public PolicyServiceSettings withEnforceBlocks(boolean enforce) {
        return new PolicyServiceSettings(listen, primary, enforce, maxLineLength, maxAttributes, idleTimeout,
                maxConnections);
    }

    public PolicyServiceSettings withLimits(int lineLength, int attributes, Duration idle, int connections) {
        return new PolicyServiceSettings(listen, primary, enforceBlocks, lineLength, attributes, idle, connections);
    }
}
