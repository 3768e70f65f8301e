package org.mxguard.delivery;

import org.mxguard.mail.EnhancedStatus;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;

/**
 * What happened to one recipient in one delivery attempt.
 *
 * <p>{@code relay} is "host[address]:port" of the server that gave the answer, or "none" when no
 * server was reached. {@code reason} reads as in Postfix logs: "host mx.example[192.0.2.1] said:
 * 550 5.1.1 no such user (in reply to RCPT TO command)".
 */
public sealed interface DeliveryResult {

    MailAddress recipient();

    String relay();

    EnhancedStatus status();

    record Delivered(MailAddress recipient, String relay, Reply reply) implements DeliveryResult {
        @Override
        public EnhancedStatus status() {
            return reply.status() != null ? reply.status() : new EnhancedStatus(2, 0, 0);
        }
    }

    /** A temporary failure: the recipient stays queued. */
    record Deferred(MailAddress recipient, String relay, EnhancedStatus status, String reason)
            implements DeliveryResult {
    }

    /**
     * A permanent failure: the sender gets a DSN.
     *
     * @param remoteReply the remote server's reply, or null when mxguard decided (Null MX, loop, expiry)
     */
    record Bounced(MailAddress recipient, String relay, EnhancedStatus status, String reason, Reply remoteReply)
            implements DeliveryResult {
    }
}
