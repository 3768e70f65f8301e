package org.mxguard.delivery;

import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.mxguard.mail.MailAddress;

/**
 * Renders the queue as Postfix's mailq does, so the output reads the same and scripts written for
 * mailq keep working (format documented in docs/delivery.md):
 *
 * <pre>
 * -Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
 * 000000000001     1234 Thu Nov 26 22:33:15  alice@sender.example
 *                          (connect to mx.example[192.0.2.1]:25: Connection refused)
 *                                          bob@protected.example
 *
 * -- 2 Kbytes in 1 Request.
 * </pre>
 *
 * A "!" after the id marks a held message.
 */
public final class MailqFormat {

    private static final DateTimeFormatter ARRIVAL = DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.ENGLISH);
    private static final String INDENT = " ".repeat(42);

    private final ZoneId zone;

    public MailqFormat(ZoneId zone) {
        this.zone = zone;
    }

    public String render(List<QueueEntry> entries) {
        if (entries.isEmpty()) {
            return "Mail queue is empty\n";
        }
        StringBuilder out = new StringBuilder("-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n");
        long bytes = 0;
        for (QueueEntry e : entries) {
            bytes += e.size();
            String id = e.id().value() + (e.held() ? "!" : "");
            String sender = e.sender().isNullSender() ? "MAILER-DAEMON" : e.sender().address();
            out.append(String.format(Locale.ROOT, "%-12s %8d %s  %s\n", id, e.size(),
                    ARRIVAL.format(ZonedDateTime.ofInstant(e.arrival(), zone)), sender));
            if (e.lastError() != null) {
                out.append(INDENT).append('(').append(e.lastError()).append(")\n");
            }
            for (MailAddress rcpt : e.recipients()) {
                out.append(INDENT).append(rcpt.address()).append('\n');
            }
            out.append('\n');
        }
        long kbytes = (bytes + 1023) / 1024;
        out.append("-- ").append(kbytes).append(" Kbytes in ").append(entries.size())
                .append(entries.size() == 1 ? " Request.\n" : " Requests.\n");
        return out.toString();
    }
}
