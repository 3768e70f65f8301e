package org.mxguard.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.spool.MessageWriter;
import org.mxguard.spool.QueuedMessage;
import org.mxguard.spool.Spool;

/**
 * Puts a DSN into the spool as a new message from {@code <>}, so it is delivered like any other
 * mail (by normal MX routing to the sender's domain). The caller commits the original message's
 * new state only after this returned: a crash in between sends a DSN twice, never zero times.
 */
public final class BounceWriter {

    /** Postfix's bounce_size_limit default: enough for the headers of any sane message. */
    private static final int HEADER_LIMIT = 50_000;

    private final Spool spool;
    private final DsnComposer composer;
    private final String hostname;
    private final Clock clock;

    public BounceWriter(Spool spool, DsnComposer composer, String hostname, Clock clock) {
        this.spool = spool;
        this.composer = composer;
        this.hostname = hostname;
        this.clock = clock;
    }

    /**
     * Writes a report about {@code original} to {@code to}.
     *
     * @throws IllegalArgumentException when {@code original} is itself from {@code <>} and {@code to} is its sender
     */
    QueueId write(QueuedMessage original, MailAddress to, List<DeliveryResult> results, DsnComposer.Kind kind,
            Instant retryUntil) throws IOException {
        if (to.isNullSender()) {
            // RFC 5321 §6.1: a notification is never sent to <>.
            throw new IllegalArgumentException("no DSN to the null reverse-path");
        }
        byte[] headers = originalHeaders(original.id());
        Instant now = clock.instant();
        ClientInfo self = new ClientInfo(InetAddress.getLoopbackAddress(), 0, "localhost", hostname, "local", null);
        Envelope envelope = new Envelope(MailAddress.NULL_SENDER, List.of(to), self, now, true, false);
        try (MessageWriter writer = spool.begin(envelope)) {
            byte[] dsn = composer.compose(writer.id(), to, original, results, kind, headers, retryUntil);
            writer.content().write(dsn);
            writer.commit();
            return writer.id();
        }
    }

    private byte[] originalHeaders(QueueId id) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = spool.openContent(id)) {
            // The header section ends at the first empty line (RFC 5322 §2.1).
            int state = 0;
            int b;
            while (out.size() < HEADER_LIMIT && (b = in.read()) >= 0) {
                out.write(b);
                state = switch (state) {
                    case 0 -> b == '\r' ? 1 : b == '\n' ? 2 : 0;
                    case 1 -> b == '\n' ? 2 : b == '\r' ? 1 : 0;
                    case 2 -> b == '\r' ? 3 : b == '\n' ? 4 : 0;
                    case 3 -> b == '\n' ? 4 : 0;
                    default -> state;
                };
                if (state == 4) {
                    break;
                }
            }
        }
        byte[] bytes = out.toByteArray();
        // Drop the blank line: the MIME part's content is the header block itself.
        int end = bytes.length;
        while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
            end--;
        }
        byte[] trimmed = new byte[end + 2];
        System.arraycopy(bytes, 0, trimmed, 0, end);
        trimmed[end] = '\r';
        trimmed[end + 1] = '\n';
        return trimmed;
    }
}
