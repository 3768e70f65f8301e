package org.mxguard.delivery;

import java.io.BufferedInputStream;
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
        // RFC 6531: the report quotes the original's header and goes to its sender, so it needs
        // SMTPUTF8 whenever the original did (delivery sends the parameter only if the report needs it).
        boolean smtpUtf8 = original.envelope().smtpUtf8() || !to.localPart().chars().allMatch(c -> c < 0x80);
        Envelope envelope = new Envelope(MailAddress.NULL_SENDER, List.of(to), self, now, true, smtpUtf8);
        try (MessageWriter writer = spool.begin(envelope)) {
            byte[] dsn = composer.compose(writer.id(), to, original, results, kind, headers, retryUntil);
            writer.content().write(dsn);
            writer.commit();
            return writer.id();
        }
    }

    /**
     * The original header section only, never the body (RFC 6522 §3: text/rfc822-headers): bounces
     * mostly go to forged senders, and a body would carry the spammer's text to them. Only whole
     * lines that are header fields (RFC 5322 §2.2: a field name of printable characters and a
     * colon, or a folded continuation) are copied; the first other line, blank or not, ends it, so
     * a message without a blank line cannot pass its body off as headers.
     */
    private byte[] originalHeaders(QueueId id) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new BufferedInputStream(spool.openContent(id))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(256);
            boolean inField = false;
            while (readLine(in, line, HEADER_LIMIT)) {
                byte[] bytes = line.toByteArray();
                boolean continuation = inField && bytes.length > 0 && (bytes[0] == ' ' || bytes[0] == '\t');
                if (!continuation && !isFieldStart(bytes) || out.size() + bytes.length + 2 > HEADER_LIMIT) {
                    break;
                }
                out.write(bytes);
                out.write('\r');
                out.write('\n');
                inField = true;
            }
        }
        return out.toByteArray();
    }

    /** Reads one line without its CRLF (or bare LF); false at the end or when it is longer than max. */
    private static boolean readLine(InputStream in, ByteArrayOutputStream line, int max) throws IOException {
        line.reset();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return true;
            }
            if (b != '\r') {
                line.write(b);
            }
            if (line.size() > max) {
                return false;
            }
        }
        return line.size() > 0;
    }

    private static boolean isFieldStart(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            int c = line[i] & 0xff;
            if (c == ':') {
                return i > 0;
            }
            if (c < 33 || c > 126) {
                return false;
            }
        }
        return false;
    }
}
