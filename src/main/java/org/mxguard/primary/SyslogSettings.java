package org.mxguard.primary;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The syslog receiver for the primary's mail log. Every field and its default is documented in
 * docs/configuration.md ({@code primary.syslog}).
 *
 * @param udp addresses to receive UDP datagrams on (none: no UDP)
 * @param tcp addresses to accept TCP connections on (none: no TCP)
 * @param maxMessage octets kept of one message; the rest is dropped (8192, rsyslog's default)
 * @param maxConnections TCP connections at once; more are closed at once (64)
 * @param idleTimeout a TCP connection silent this long is closed (1 h)
 */
public record SyslogSettings(List<InetSocketAddress> udp, List<InetSocketAddress> tcp, int maxMessage,
        int maxConnections, Duration idleTimeout) {

    public static final int DEFAULT_MAX_MESSAGE = 8192;
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);

    public SyslogSettings {
        udp = List.copyOf(udp);
        tcp = List.copyOf(tcp);
        // RFC 5424 §6.1: receivers SHOULD take messages of 2048 octets.
        if (maxMessage < 480 || maxMessage > 1 << 20) {
            throw new IllegalArgumentException("primary.syslog.max-message-size must be 480 to 1048576 octets: "
                    + maxMessage);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("primary.syslog.max-connections must be at least 1");
        }
        if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("primary.syslog.idle-timeout must be longer than zero");
        }
    }

    /** Nothing to listen on. */
    public static SyslogSettings none() {
        return new SyslogSettings(List.of(), List.of(), DEFAULT_MAX_MESSAGE, DEFAULT_MAX_CONNECTIONS,
                DEFAULT_IDLE_TIMEOUT);
    }

    public boolean enabled() {
        return !udp.isEmpty() || !tcp.isEmpty();
    }
}
