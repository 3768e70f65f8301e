package org.mxguard.smtp;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.mail.Reply;
import org.mxguard.policy.RuleRef;

/**
 * Something that happened in an SMTP session. Every event names the client as known at that
 * moment (HELO, protocol and TLS filled in once the client sent them).
 */
public sealed interface SessionEvent {

    Instant time();

    ClientInfo client();

    /** A client connected and will be greeted (or refused, see {@link Refused}). */
    record Connected(Instant time, ClientInfo client) implements SessionEvent {
    }

    /**
     * The connection was refused before the greeting by a connection limit.
     *
     * @param reply the 421 sent
     * @param reason "too many connections" or "too many connections from this client"
     */
    record Refused(Instant time, ClientInfo client, Reply reply, String reason) implements SessionEvent {
    }

    /**
     * The client talked before the greeting (postscreen's PREGREET): a spambot that does not wait.
     *
     * @param octets how many octets it sent early
     * @param elapsed from the connection to when the early octets were seen
     * @param text the start of what it sent, control characters visible as in postscreen's log
     */
    record Pregreet(Instant time, ClientInfo client, int octets, Duration elapsed, String text)
            implements SessionEvent {
    }

    /**
     * The client sent more without waiting where it must wait (after DATA, RFC 2920 §3.1); the
     * connection is closed.
     *
     * @param afterCommand the command it should have waited after
     * @param text the start of what it sent, control characters visible
     */
    record ImproperPipelining(Instant time, ClientInfo client, String afterCommand, String text)
            implements SessionEvent {
    }

    /**
     * STARTTLS succeeded.
     *
     * @param protocol "TLSv1.3"
     * @param cipher "TLS_AES_256_GCM_SHA384"
     */
    record TlsEstablished(Instant time, ClientInfo client, String protocol, String cipher) implements SessionEvent {
    }

    /** The TLS handshake after STARTTLS failed; the connection is closed. */
    record TlsFailed(Instant time, ClientInfo client, String error) implements SessionEvent {
    }

    /**
     * A command was refused by relay control, policy or a limit, or a rule would have refused it
     * ({@code warnOnly}). Rejections of plain syntax errors are not events.
     *
     * @param command the SMTP stage as Postfix logs it: "CONNECT", "HELO", "MAIL", "RCPT", "DATA"
     * @param reply the reply sent (or that would have been sent, when warnOnly)
     * @param sender the reverse-path as the client wrote it (without brackets), or null before MAIL
     * @param recipient the forward-path as the client wrote it, or null
     * @param warnOnly true if this was only logged and the client let through
     * @param rule the policy rule that decided, or null for relay control and limits
     */
    record Rejected(Instant time, ClientInfo client, String command, Reply reply, String sender, String recipient,
            boolean warnOnly, RuleRef rule) implements SessionEvent {
    }

    /**
     * A message was committed to the spool and 250 sent.
     *
     * @param size the stored size in octets, the Received header included
     * @param messageId the Message-ID header's value, or null
     */
    record Queued(Instant time, ClientInfo client, QueueId id, MailAddress sender, List<MailAddress> recipients,
            long size, String messageId) implements SessionEvent {
    }

    /**
     * The session ended without QUIT.
     *
     * @param afterCommand the last command ("CONNECT" before any, "DATA (1234 bytes)" inside the
     *     message, "END-OF-MESSAGE" after it)
     */
    record Dropped(Instant time, ClientInfo client, String afterCommand, DropReason reason) implements SessionEvent {
    }

    /** Why a session ended without QUIT. */
    enum DropReason {
        LOST_CONNECTION, TIMEOUT, TOO_MANY_ERRORS
    }

    /**
     * The connection is closed.
     *
     * @param counts the commands used, the "commands" sum last
     */
    record Disconnected(Instant time, ClientInfo client, List<CommandCount> counts) implements SessionEvent {
    }
}
