package org.mxguard.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The client's byte stream with a buffer the session can see into: it knows whether the client
 * has already sent more (pipelining, pre-greeting talk) and can drop what is buffered (after
 * STARTTLS, so plaintext sent before the handshake never counts as a command: CVE-2011-0411).
 */
final class SmtpInput {

    /** One command line without its line end. */
    record Line(byte[] bytes, boolean tooLong) {
    }

    private final InputStream in;
    private final byte[] buffer = new byte[16 * 1024];
    private int pos;
    private int limit;

    SmtpInput(InputStream in) {
        this.in = in;
    }

    /** The next byte, or -1 at the end of the stream. */
    int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buffer[pos++] & 0xff;
    }

    /**
     * Copies already-buffered bytes up to the next CR or LF (never past {@code max}) into
     * {@code dst}, without blocking; returns how many. Lets message data move a run of plain bytes
     * at a time, while every CR and LF still goes through {@link #read()} one by one.
     */
    int copyPlain(byte[] dst, int offset, int max) {
        int end = Math.min(limit, pos + max);
        int i = pos;
        while (i < end) {
            byte b = buffer[i];
            if (b == '\r' || b == '\n') {
                break;
            }
            i++;
        }
        int n = i - pos;
        System.arraycopy(buffer, pos, dst, offset, n);
        pos = i;
        return n;
    }

    /** True if bytes are buffered here that nobody has read yet. */
    boolean hasBuffered() {
        return pos < limit;
    }

    /** True if bytes have arrived that nobody has read yet, without blocking. */
    boolean hasPending() throws IOException {
        return pos < limit || in.available() > 0;
    }

    /** Blocks until a byte is there to read (under the socket's timeout); false at the end of the stream. */
    boolean awaitInput() throws IOException {
        return pos < limit || fill();
    }

    /** Drops what is buffered here; bytes still in the socket are not touched. */
    void discardBuffered() {
        pos = 0;
        limit = 0;
    }

    /** A copy of the buffered bytes, for a log line that quotes what the client sent early. */
    byte[] peekBuffered() throws IOException {
        if (pos == limit && in.available() > 0) {
            fill();
        }
        return Arrays.copyOfRange(buffer, pos, limit);
    }

    /**
     * Reads a command line up to LF, dropping the CR before it. A line longer than {@code max}
     * octets (CRLF included) is read to its end and returned marked too long, truncated.
     *
     * @return the line, or null if the client closed the connection first
     */
    Line readLine(int max) throws IOException {
        byte[] line = new byte[max];
        int length = 0;
        boolean tooLong = false;
        while (true) {
            int b = read();
            if (b < 0) {
                return null;
            }
            if (b == '\n') {
                break;
            }
            if (length < max) {
                line[length++] = (byte) b;
            } else {
                tooLong = true;
            }
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        // RFC 5321 §4.5.3.1.4: the limit counts the CRLF
        if (length + 2 > max) {
            tooLong = true;
        }
        return new Line(Arrays.copyOf(line, length), tooLong);
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }
}
