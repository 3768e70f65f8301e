package org.mxguard.smtp;

import java.util.Locale;
import java.util.stream.Collectors;
import org.mxguard.mail.ClientInfo;
import org.mxguard.maillog.MailLog;

/**
 * Writes SMTP session events as the Postfix 3.x smtpd, cleanup and qmgr lines that pflogsumm,
 * fail2ban and other Postfix log readers know:
 *
 * <pre>
 * smtpd:   connect from mail.example[192.0.2.1]
 * smtpd:   0123456789AB: client=mail.example[192.0.2.1]
 * cleanup: 0123456789AB: message-id=&lt;abc@example&gt;
 * qmgr:    0123456789AB: from=&lt;a@example&gt;, size=1234, nrcpt=1 (queue active)
 * smtpd:   NOQUEUE: reject: RCPT from mail.example[192.0.2.1]: 550 5.7.1 &lt;r@other.example&gt;: Relay access denied; from=&lt;a@example&gt; to=&lt;r@other.example&gt; proto=ESMTP helo=&lt;mail.example&gt;
 * smtpd:   NOQUEUE: reject: RCPT from dsl-7.isp.example[198.51.100.7]: 451 4.7.1 ... Relaying Denied; from=&lt;&gt; to=&lt;r@example.org&gt; proto=ESMTP helo=&lt;pc7&gt;
 * smtpd:   NOQUEUE: rule: RCPT from dsl-7.isp.example[198.51.100.7]: /etc/mxguard/access.rules:12; from=&lt;&gt; to=&lt;r@example.org&gt;
 * smtpd:   lost connection after RCPT from mail.example[192.0.2.1]
 * smtpd:   disconnect from mail.example[192.0.2.1] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4
 * </pre>
 *
 * <p>A refusal decided by a policy rule is followed by a {@code rule:} line naming the rule's
 * file:line. It is a line of its own rather than a field in the reject line because the log tools
 * read the reject line to its end (pflogsumm keeps the reply text up to {@code ; from=}, the
 * analyzer reads {@code helo=} last) and Postfix writes no such field. The word {@code rule} is
 * chosen so that no reader takes the line for a refusal: fail2ban's postfix filter wants
 * {@code reject:} after the queue id, pflogsumm {@code reject}, {@code reject_warning},
 * {@code hold} or {@code discard}.
 */
public final class SmtpdLogWriter implements SessionListener {

    private final MailLog log;

    public SmtpdLogWriter(MailLog log) {
        this.log = log;
    }

    @Override
    public void onEvent(SessionEvent event) {
        switch (event) {
            case SessionEvent.Connected e -> log.log("smtpd", "connect from " + e.client().nameAndAddress());
            case SessionEvent.Refused e -> log.log("smtpd", "NOQUEUE: reject: CONNECT from "
                    + e.client().nameAndAddress() + ": " + e.reply() + "; proto=SMTP");
            case SessionEvent.Pregreet e -> log.log("smtpd", String.format(Locale.ROOT,
                    "PREGREET %d after %.2f from [%s]:%d: %s", e.octets(), e.elapsed().toMillis() / 1000.0,
                    e.client().addressText(), e.client().port(), e.text()));
            case SessionEvent.ImproperPipelining e -> log.log("smtpd", "improper command pipelining after "
                    + e.afterCommand() + " from " + e.client().nameAndAddress() + ": " + e.text());
            case SessionEvent.TlsEstablished e -> log.log("smtpd", "Anonymous TLS connection established from "
                    + e.client().nameAndAddress() + ": " + e.protocol() + " with cipher " + e.cipher());
            case SessionEvent.TlsFailed e -> log.log("smtpd", "SSL_accept error from "
                    + e.client().nameAndAddress() + ": " + e.error());
            case SessionEvent.Rejected e -> {
                log.log("smtpd", rejectLine(e));
                if (e.rule() != null) {
                    log.log("smtpd", ruleLine(e));
                }
            }
            case SessionEvent.Queued e -> {
                String id = e.id().value();
                log.log("smtpd", id + ": client=" + e.client().nameAndAddress());
                if (e.messageId() != null) {
                    log.log("cleanup", id + ": message-id=" + e.messageId());
                }
                log.log("qmgr", id + ": from=" + e.sender().bracketed() + ", size=" + e.size() + ", nrcpt="
                        + e.recipients().size() + " (queue active)");
            }
            case SessionEvent.Dropped e -> log.log("smtpd", switch (e.reason()) {
                case LOST_CONNECTION -> "lost connection";
                case TIMEOUT -> "timeout";
                case TOO_MANY_ERRORS -> "too many errors";
            } + " after " + e.afterCommand() + " from " + e.client().nameAndAddress());
            case SessionEvent.Disconnected e -> log.log("smtpd", "disconnect from " + e.client().nameAndAddress()
                    + " " + e.counts().stream().map(CommandCount::render).collect(Collectors.joining(" ")));
        }
    }

    /** Postfix's smtpd_check reject line, with "reject_warning" for rules in warn-only mode. */
    static String rejectLine(SessionEvent.Rejected e) {
        ClientInfo client = e.client();
        StringBuilder line = new StringBuilder("NOQUEUE: ").append(e.warnOnly() ? "reject_warning" : "reject")
                .append(": ").append(e.command()).append(" from ").append(client.nameAndAddress()).append(": ")
                .append(e.reply()).append(';');
        if (e.sender() != null) {
            line.append(" from=<").append(e.sender()).append('>');
        }
        if (e.recipient() != null) {
            line.append(" to=<").append(e.recipient()).append('>');
        }
        // Postfix logs proto=SMTP or ESMTP; TLS does not show here
        line.append(" proto=").append(client.protocol().startsWith("ESMTP") ? "ESMTP" : "SMTP");
        if (client.helo() != null) {
            line.append(" helo=<").append(client.helo()).append('>');
        }
        return line.toString();
    }

    /**
     * The rule behind a refusal (or a warning): {@code NOQUEUE: rule: RCPT from NAME[ADDR]: FILE:LINE;
     * from=<S> to=<R>}, with the sender and recipient so that it pairs with its reject line when
     * sessions interleave.
     */
    static String ruleLine(SessionEvent.Rejected e) {
        StringBuilder line = new StringBuilder("NOQUEUE: rule: ").append(e.command()).append(" from ")
                .append(e.client().nameAndAddress()).append(": ").append(e.rule());
        if (e.sender() != null) {
            line.append("; from=<").append(e.sender()).append('>');
        }
        if (e.recipient() != null) {
            line.append(e.sender() == null ? "; " : " ").append("to=<").append(e.recipient()).append('>');
        }
        return line.toString();
    }
}
