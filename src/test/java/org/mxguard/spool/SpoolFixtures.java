package org.mxguard.spool;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

/** Envelopes and messages for spool tests. */
final class SpoolFixtures {

    static final Instant RECEIVED = Instant.parse("2026-11-26T22:00:00.123456Z");

    private SpoolFixtures() {
    }

    static Envelope envelope(String... recipients) {
        ClientInfo client = new ClientInfo(InetAddress.ofLiteral("192.0.2.1"), 40123, "mail.client.example",
                "client.example", "ESMTP", null);
        List<MailAddress> rcpts = Arrays.stream(recipients)
                .map(r -> MailAddress.of(r.substring(0, r.indexOf('@')), r.substring(r.indexOf('@') + 1)))
                .toList();
        return new Envelope(MailAddress.of("sender", "sender.example"), rcpts, client, RECEIVED, true, false);
    }

    static String content(String subject) {
        return "Subject: " + subject + "\r\n\r\nbody of " + subject + "\r\n";
    }

    /** Writes and commits one message, returning its id. */
    static QueueId commit(Spool spool, Envelope envelope, String content) throws IOException {
        try (MessageWriter writer = spool.begin(envelope)) {
            writer.content().write(content.getBytes(StandardCharsets.UTF_8));
            writer.commit();
            return writer.id();
        }
    }

    static String read(Spool spool, QueueId id) throws IOException {
        try (InputStream in = spool.openContent(id)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        }
    }
}
