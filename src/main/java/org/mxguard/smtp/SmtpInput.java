package org.mxguard.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

/**
 * The client's byte stream with a buffer the session can see into: it knows whether the client
 * has already sent more (pipelining, pre-greeting talk) and can drop what is buffered (after
 * STARTTLS, so plaintext sent before the handshake never counts as a command: CVE-2011-0411).
 *
 * <p>It also keeps a deadline (Postfix's smtpd_per_request_deadline): a whole command, or the
 * message data, must arrive in time, so a client that sends one octet just before each read would
 * time out cannot hold the session open. Before each blocking read the socket's timeout is set to
 * the time left; none left fails the read with {@link SocketTimeoutException}.
 */
final class SmtpInput {

    /** One command line without its line end. */
    record Line(byte[] bytes, boolean tooLong) {
    }

    /** Sets the socket's read timeout in milliseconds (at least 1). */
    @FunctionalInterface
    interface ReadTimeout {
        void set(int millis) throws IOException;
    }

    private final InputStream in;
    private final ReadTimeout readTimeout;
    private final byte[] buffer = new byte[16 * 1024];
    private int pos;
    private int limit;
    private long total;

    // the deadline: none while allowedNanos is negative
    private long deadlineStart;
    private long allowedNanos = -1;
    private long nanosPerOctet;
    private long totalAtStart;

    /** Input without deadlines (the caller sets socket timeouts itself). */
    SmtpInput(InputStream in) {
        this(in, null);
    }

    SmtpInput(InputStream in, ReadTimeout readTimeout) {
        this.in = in;
        this.readTimeout = readTimeout;
    }

    /**
     * Starts a deadline {@code limit} from now. With {@code minOctetsPerSecond} above zero every octet
     * that arrives extends it by 1/rate seconds (Postfix's smtpd_min_data_rate for DATA).
     */
    void deadline(Duration limit, long minOctetsPerSecond) {
        deadlineStart = System.nanoTime();
        allowedNanos = limit.toNanos();
        nanosPerOctet = minOctetsPerSecond > 0 ? 1_000_000_000L / minOctetsPerSecond : 0;
        totalAtStart = total;
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
        if (readTimeout != null && allowedNanos >= 0) {
            long allowed = allowedNanos + (total - totalAtStart) * nanosPerOctet;
            long left = deadlineStart + allowed - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("deadline passed");
            }
            readTimeout.set((int) Math.min(Integer.MAX_VALUE, Math.max(1, (left + 999_999) / 1_000_000)));
        }
        int n = in.read(buffer, 0, buffer.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        total += n;
        return true;
    }
}
