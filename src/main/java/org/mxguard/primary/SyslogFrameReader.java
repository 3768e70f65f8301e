package org.mxguard.primary;

import java.io.IOException;
import java.io.InputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a syslog TCP stream into messages by RFC 6587's two framings, chosen per message by its
 * first byte as rsyslog's imtcp does: a digit starts octet counting ({@code MSG-LEN SP MSG},
 * §3.4.1), a {@code <} starts non-transparent framing, ended by LF (§3.4.2; a CR before the LF and
 * a NUL trailer, which some senders use, are dropped). A message longer than the limit is cut
 * there and the rest of it skipped, so one sender cannot make the receiver hold more.
 */
final class SyslogFrameReader {

    /** MSG-LEN has at most 9 digits here: nine hundred megabytes are already no syslog message. */
    private static final int MAX_LENGTH_DIGITS = 9;

    private final InputStream in;
    private final int maxMessage;
    private final byte[] buffer;

    SyslogFrameReader(InputStream in, int maxMessage) {
        this.in = in;
        this.maxMessage = maxMessage;
        this.buffer = new byte[maxMessage];
    }

    /**
     * The next message, or null at the end of the stream between messages.
     *
     * @throws ProtocolException when the framing is broken (the stream cannot be resynchronised)
     */
    String next() throws IOException {
        int first = in.read();
        // Stray line ends between messages (a sender mixing framings) are no message.
        while (first == '\n' || first == '\r' || first == 0) {
            first = in.read();
        }
        if (first < 0) {
            return null;
        }
        if (first >= '1' && first <= '9') {
            return counted(first - '0');
        }
        if (first == '<') {
            return lineEnded();
        }
        throw new ProtocolException("syslog frame starts with neither a length nor '<' (byte " + first + ")");
    }

    /** RFC 6587 §3.4.1: {@code NONZERO-DIGIT *DIGIT SP} then exactly that many octets. */
    private String counted(int firstDigit) throws IOException {
        long length = firstDigit;
        int digits = 1;
        while (true) {
            int b = in.read();
            if (b == ' ') {
                break;
            }
            if (b < '0' || b > '9' || ++digits > MAX_LENGTH_DIGITS) {
                throw new ProtocolException(b < 0 ? "stream ended in a syslog frame length"
                        : "bad syslog frame length");
            }
            length = length * 10 + b - '0';
        }
        int keep = (int) Math.min(length, maxMessage);
        int n = in.readNBytes(buffer, 0, keep);
        String message = text(n);
        if (n < keep || !discard(length - keep)) {
            throw new ProtocolException("stream ended inside a syslog frame");
        }
        return message;
    }

    /** RFC 6587 §3.4.2: the message runs to the next LF; its leading '<' was read already. */
    private String lineEnded() throws IOException {
        buffer[0] = '<';
        int n = 1;
        while (true) {
            int b = in.read();
            if (b < 0 || b == '\n') {
                break;
            }
            if (n < maxMessage) {
                buffer[n++] = (byte) b;
            }
        }
        while (n > 0 && (buffer[n - 1] == '\r' || buffer[n - 1] == 0)) {
            n--;
        }
        return text(n);
    }

    /** Reads and drops that many octets; false when the stream ends first. */
    private boolean discard(long count) throws IOException {
        long left = count;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(left, buffer.length));
            if (n < 0) {
                return false;
            }
            left -= n;
        }
        return true;
    }

    private String text(int n) {
        return new String(buffer, 0, n, StandardCharsets.UTF_8);
    }
}
