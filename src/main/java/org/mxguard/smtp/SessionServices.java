package org.mxguard.smtp;

import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.mxguard.dns.ClientNameLookup;
import org.mxguard.policy.PolicyEngine;
import org.mxguard.spool.Spool;

/**
 * What every session of one server shares.
 *
 * @param tls the STARTTLS context, or null without TLS
 * @param etrn the current ETRN hook (may be null)
 * @param connections the open connections, which say when the server is under stress
 * @param recipients the current recipient check
 */
record SessionServices(SmtpSettings settings, Spool spool, PolicyEngine policy, RelayControl relay,
        ClientNameLookup names, List<SessionListener> listeners, Clock clock, SSLContext tls,
        Supplier<EtrnHandler> etrn, ConnectionLimits connections, Supplier<RecipientCheck> recipients) {

    void publish(SessionEvent event) {
        for (SessionListener listener : listeners) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException ignored) {
                // A broken subscriber must never break mail; see SessionListener.
            }
        }
    }
}
