package org.mxguard.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.mail.Reply;
import org.mxguard.spool.QueuedMessage;

/**
 * Writes a delivery status notification (RFC 3464): a multipart/report (RFC 6522) with a human
 * part, the machine-readable message/delivery-status part and the original message's headers as
 * text/rfc822-headers. Postfix's wording, because postmasters know it.
 */
public final class DsnComposer {

    /** RFC 5322 §3.3 date-time. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH);

    enum Kind { FAILED, DELAYED }

    private final String hostname;
    private final Clock clock;

    public DsnComposer(String hostname, Clock clock) {
        this.hostname = hostname;
        this.clock = clock;
    }

    /**
     * @param to who gets the report: the original sender, or the postmaster
     * @param results the recipients it is about (Bounced for FAILED, Deferred for DELAYED)
     * @param retryUntil for DELAYED, when mxguard gives up
     */
    byte[] compose(QueueId reportId, MailAddress to, QueuedMessage original, List<DeliveryResult> results, Kind kind,
            byte[] originalHeaders, Instant retryUntil) {
        Instant now = clock.instant();
        ZoneId zone = clock.getZone();
        String boundary = reportId + "." + now.getEpochSecond() + "/" + hostname;
        StringBuilder m = new StringBuilder();
        header(m, "Date", DATE.format(ZonedDateTime.ofInstant(now, zone)));
        header(m, "From", "MAILER-DAEMON@" + hostname + " (Mail Delivery System)");
        header(m, "To", to.address());
        header(m, "Subject", kind == Kind.FAILED ? "Undelivered Mail Returned to Sender"
                : "Delayed Mail (still being retried)");
        header(m, "Message-ID", "<" + reportId + "@" + hostname + ">");
        // RFC 3834 §5: an automatic response, so vacation responders stay quiet.
        header(m, "Auto-Submitted", "auto-replied");
        header(m, "MIME-Version", "1.0");
        // Original headers and remote replies may carry 8-bit text; the envelope says BODY=8BITMIME.
        header(m, "Content-Transfer-Encoding", "8bit");
        header(m, "Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"");
        m.append("\r\n");
        m.append("This is a MIME-encapsulated message.\r\n\r\n");

        m.append("--").append(boundary).append("\r\n");
        header(m, "Content-Description", "Notification");
        header(m, "Content-Type", "text/plain; charset=utf-8");
        header(m, "Content-Transfer-Encoding", "8bit");
        m.append("\r\n");
        human(m, original, results, kind, retryUntil);

        m.append("\r\n--").append(boundary).append("\r\n");
        header(m, "Content-Description", kind == Kind.FAILED ? "Delivery report" : "Delivery delay report");
        header(m, "Content-Type", "message/delivery-status");
        m.append("\r\n");
        // RFC 3464 §2.2: per-message fields.
        header(m, "Reporting-MTA", "dns; " + hostname);
        header(m, "X-Mxguard-Queue-ID", original.id().value());
        header(m, "X-Mxguard-Sender", "rfc822; " + original.envelope().sender().address());
        header(m, "Arrival-Date", DATE.format(ZonedDateTime.ofInstant(original.envelope().received(), zone)));
        for (DeliveryResult r : results) {
            // RFC 3464 §2.3: one block of per-recipient fields each.
            m.append("\r\n");
            header(m, "Final-Recipient", "rfc822; " + r.recipient().address());
            header(m, "Action", kind == Kind.FAILED ? "failed" : "delayed");
            header(m, "Status", r.status().toString());
            String relay = r.relay();
            if (!"none".equals(relay)) {
                header(m, "Remote-MTA", "dns; " + relay.substring(0, relay.indexOf('[')));
            }
            header(m, "Diagnostic-Code", diagnostic(r));
            header(m, "Last-Attempt-Date", DATE.format(ZonedDateTime.ofInstant(now, zone)));
            if (kind == Kind.DELAYED && retryUntil != null) {
                header(m, "Will-Retry-Until", DATE.format(ZonedDateTime.ofInstant(retryUntil, zone)));
            }
        }

        m.append("\r\n--").append(boundary).append("\r\n");
        header(m, "Content-Description", kind == Kind.FAILED ? "Undelivered Message Headers" : "Delayed Message Headers");
        header(m, "Content-Type", "text/rfc822-headers");
        m.append("\r\n");
        byte[] head = m.toString().getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + originalHeaders.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(originalHeaders, 0, out, head.length, originalHeaders.length);
        System.arraycopy(tail, 0, out, head.length + originalHeaders.length, tail.length);
        return out;
    }

    private void human(StringBuilder m, QueuedMessage original, List<DeliveryResult> results, Kind kind,
            Instant retryUntil) {
        m.append("This is the mail system at host ").append(hostname).append(".\r\n\r\n");
        if (kind == Kind.FAILED) {
            m.append("I'm sorry to have to inform you that your message could not\r\n")
                    .append("be delivered to one or more recipients. It's attached below.\r\n\r\n")
                    .append("For further assistance, please send mail to postmaster.\r\n\r\n")
                    .append("If you do so, please include this problem report. You can\r\n")
                    .append("delete your own text from the attached returned message.\r\n\r\n");
        } else {
            m.append("####################################################################\r\n")
                    .append("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n")
                    .append("####################################################################\r\n\r\n")
                    .append("Your message could not be delivered for more than ")
                    .append(java.time.Duration.between(original.envelope().received(), clock.instant()).toHours())
                    .append(" hour(s).\r\nIt will be retried until it is ")
                    .append(retryUntil == null ? "too old" : java.time.Duration.between(original.envelope().received(),
                            retryUntil).toDays() + " day(s) old")
                    .append(".\r\n\r\n");
        }
        m.append("                   The mail system\r\n\r\n");
        for (DeliveryResult r : results) {
            m.append("<").append(r.recipient().address()).append(">: ").append(limit(reason(r))).append("\r\n");
        }
    }

    private static String reason(DeliveryResult r) {
        return switch (r) {
            case DeliveryResult.Bounced b -> b.reason();
            case DeliveryResult.Deferred d -> d.reason();
            case DeliveryResult.Delivered d -> "delivered: " + d.reply();
        };
    }

    private static String diagnostic(DeliveryResult r) {
        Reply reply = r instanceof DeliveryResult.Bounced b ? b.remoteReply()
                : r instanceof DeliveryResult.Delivered d ? d.reply() : null;
        if (reply != null) {
            // RFC 3464 §2.3.6: diagnostic-type "smtp" carries the remote server's reply.
            return "smtp; " + reply;
        }
        return "X-mxguard; " + reason(r);
    }

    private static void header(StringBuilder m, String name, String value) {
        // Header values come partly from remote servers: no line breaks may reach the DSN from there.
        String clean = name.equals("Content-Type") ? value : limit(value.replaceAll("[\\r\\n]+", " "));
        m.append(name).append(": ").append(clean).append("\r\n");
    }

    /** RFC 5322 §2.1.1: lines are at most 998 octets; a remote reply may be longer than that. */
    private static String limit(String text) {
        return text.length() > 900 ? text.substring(0, 900) + "..." : text;
    }
}
