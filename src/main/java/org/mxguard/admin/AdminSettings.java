package org.mxguard.admin;

import java.net.InetSocketAddress;

/**
 * The admin HTTP listener (JSON API and Prometheus metrics).
 *
 * @param listen where to listen, or null when the listener is off (the default)
 * @param token the bearer token that changes state and opens a non-loopback listener, or null
 */
public record AdminSettings(InetSocketAddress listen, String token) {

    public static final AdminSettings OFF = new AdminSettings(null, null);

    public AdminSettings {
        if (listen != null && token == null && !loopback(listen)) {
            throw new IllegalArgumentException("admin.listen " + listen
                    + " is not a loopback address: set admin.token or admin.token-file");
        }
    }

    /** Whether only this host can reach the address (the wildcard address is not loopback). */
    static boolean loopback(InetSocketAddress address) {
        return address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }

    /** The token stays out of logs and error messages that print the settings. */
    @Override
    public String toString() {
        return "AdminSettings[listen=" + listen + ", token=" + (token == null ? "none" : "set") + "]";
    }
}
