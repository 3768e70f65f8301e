package org.mxguard.admin;

import java.time.Instant;
import java.util.List;

/**
 * What {@code /api/status} says about the server besides its counters.
 *
 * @param version mxguard's version
 * @param started when the server started
 * @param smtpListeners the SMTP addresses bound, as "127.0.0.1:25"
 * @param protectedDomains the domains this backup MX accepts mail for
 */
public record ServerInfo(String version, Instant started, List<String> smtpListeners, List<String> protectedDomains) {

    public ServerInfo {
        smtpListeners = List.copyOf(smtpListeners);
        protectedDomains = List.copyOf(protectedDomains);
    }
}
