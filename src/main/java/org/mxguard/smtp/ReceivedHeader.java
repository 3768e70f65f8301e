package org.mxguard.smtp;

import java.net.Inet6Address;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

/**
 * The trace header mxguard prepends to every message (RFC 5321 §4.4), in Postfix's layout:
 *
 * <pre>
 * Received: from client.example (mail.client.example [192.0.2.1])
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *         by mx2.example.org (mxguard) with ESMTPS id 0123456789AB
 *         for &lt;user@example.org&gt;; Thu, 26 Nov 2026 22:17:06 +0000
 * </pre>
 *
 * Continuation lines start with a TAB. The "for" clause appears only with one recipient, so a message to many does not reveal them all
 * to each.
 */
final class ReceivedHeader {

    /** RFC 5322 §3.3 date-time. */
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z",
            Locale.ENGLISH);

    private ReceivedHeader() {
    }

    /**
     * @param protocol the RFC 5321 §4.4 / RFC 3848 / RFC 6531 "with" keyword: SMTP, ESMTP, ESMTPS, UTF8SMTPS...
     */
    static String render(ClientInfo client, String hostname, String protocol, QueueId id,
            List<MailAddress> recipients, ZonedDateTime when) {
        StringBuilder out = new StringBuilder("Received: from ");
        out.append(client.helo()).append(" (").append(client.name()).append(' ')
                .append(addressLiteral(client)).append(")\r\n");
        if (client.tls() != null) {
            out.append("\t(using ").append(client.tls()).append(")\r\n");
        }
        out.append("\tby ").append(hostname).append(" (mxguard) with ").append(protocol).append(" id ").append(id);
        if (recipients.size() == 1) {
            out.append("\r\n\tfor ").append(recipients.getFirst().bracketed()).append("; ");
        } else {
            out.append(";\r\n\t");
        }
        out.append(DATE.format(when)).append("\r\n");
        return out.toString();
    }

    // RFC 5321 §4.1.3: IPv6 literals carry the "IPv6:" tag
    private static String addressLiteral(ClientInfo client) {
        return client.address() instanceof Inet6Address
                ? "[IPv6:" + client.addressText() + "]"
                : "[" + client.addressText() + "]";
    }
}
