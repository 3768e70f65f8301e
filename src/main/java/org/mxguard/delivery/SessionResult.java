package org.mxguard.delivery;

import java.time.Duration;
import java.util.List;
import org.mxguard.mail.EnhancedStatus;

/** The end of one SMTP session with one server. */
sealed interface SessionResult {

    /**
     * The server took part in a transaction: a result for every recipient.
     *
     * @param setup connect, greeting, EHLO and TLS (Postfix's delays "c")
     * @param transfer the transaction itself (Postfix's delays "d")
     */
    record Completed(List<DeliveryResult> results, Duration setup, Duration transfer) implements SessionResult {
        public Completed {
            results = List.copyOf(results);
        }
    }

    /**
     * The server could not be used (no connection, refused greeting, failed MAIL): the next
     * address should be tried.
     *
     * @param tlsFailed true when the TLS handshake failed, so a plain-text retry may work
     */
    record HostFailed(EnhancedStatus status, String reason, boolean tlsFailed) implements SessionResult {
    }

    /**
     * The server is this host itself: it greeted or answered EHLO with this host's name. Nothing
     * was sent; the address must not be used.
     *
     * @param warning Postfix's warning, as "host mx.example[192.0.2.1] greeted me with my own hostname mx2.example"
     */
    record Looped(String warning) implements SessionResult {
    }

    /**
     * The server answered but cannot take this message as it is (it does not offer SMTPUTF8, which
     * the message needs): another primary may; if none can, the message bounces with this status.
     */
    record Unsuitable(EnhancedStatus status, String reason) implements SessionResult {
    }
}
