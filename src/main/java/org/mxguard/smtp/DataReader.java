package org.mxguard.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Reads a message after 354 up to the end-of-data line, dot-unstuffing it (RFC 5321 §4.5.2) and
 * writing it with CRLF line ends.
 *
 * <p>Invariant (SMTP smuggling, 2023): only CR LF "." CR LF ends the data. A line is what lies
 * between two CRLF pairs; a bare LF or a bare CR is never a line end, so {@code \n.\n},
 * {@code \n.\r\n}, {@code \r.\r}, {@code \r.\n} and {@code \r\n\0.\r\n} are all message content. A
 * message holding a bare CR or LF is either refused at the end of data or stored with each bare
 * CR or LF turned into CRLF, which makes it harmless to every later hop (the delivery client dot-stuffs
 * whatever lines it then has).
 */
final class DataReader {

    /** How the message ended; anything but OK means it is refused and nothing is queued. */
    enum Outcome {
        OK, TOO_BIG, LINE_TOO_LONG, BARE_LINE_FEED, BARE_CARRIAGE_RETURN
    }

    /**
     * The result of one DATA phase.
     *
     * @param outcome what happened
     * @param size octets written (after unstuffing, with CRLF line ends)
     * @param received octets read from the client, for the log
     * @param messageId the header's Message-ID, or null
     * @param hops the header's Received fields
     */
    record Result(Outcome outcome, long size, long received, String messageId, int hops) {
    }

    private static final int CR = '\r';
    private static final int LF = '\n';

    private final SmtpInput in;
    private final int maxTextLine;
    private final long maxSize;
    private final boolean normalize;
    private long received;

    DataReader(SmtpInput in, int maxTextLine, long maxSize, boolean normalize) {
        this.in = in;
        this.maxTextLine = maxTextLine;
        this.maxSize = maxSize;
        this.normalize = normalize;
    }

    /**
     * Reads to the end of data. After a refusal it keeps reading (and discarding) to the end, so
     * the rest of the message is never taken for commands.
     *
     * @throws EOFException if the client closes the connection before the end of data
     */
    Result read(OutputStream out) throws IOException {
        HeaderScanner headers = new HeaderScanner();
        byte[] line = new byte[maxTextLine];
        Outcome outcome = Outcome.OK;
        long size = 0;
        while (true) {
            int length = 0;
            long lineOctets = 0;
            boolean bareLf = false;
            boolean bareCr = false;
            boolean pendingCr = false;
            // One line: everything up to CR LF.
            while (true) {
                if (!pendingCr && length < line.length) {
                    int plain = in.copyPlain(line, length, line.length - length);
                    length += plain;
                    lineOctets += plain;
                    received += plain;
                }
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("connection closed in DATA after " + received + " bytes");
                }
                received++;
                if (pendingCr) {
                    pendingCr = false;
                    if (b == LF) {
                        break;
                    }
                    bareCr = true;
                    length = append(line, length, CR);
                    lineOctets++;
                }
                if (b == CR) {
                    pendingCr = true;
                    continue;
                }
                if (b == LF) {
                    bareLf = true;
                }
                length = append(line, length, b);
                lineOctets++;
            }
            if (lineOctets == 1 && line[0] == '.') {
                break;
            }
            if (outcome != Outcome.OK) {
                continue;
            }
            int start = length > 0 && line[0] == '.' ? 1 : 0;
            // RFC 5321 §4.5.3.1.6: at most 1000 octets including CRLF, "not counting the leading dot
            // duplicated for transparency"
            if (lineOctets - start + 2 > maxTextLine) {
                outcome = Outcome.LINE_TOO_LONG;
                continue;
            }
            if ((bareLf || bareCr) && !normalize) {
                outcome = bareLf ? Outcome.BARE_LINE_FEED : Outcome.BARE_CARRIAGE_RETURN;
                continue;
            }
            long lineSize = length - start + 2 + (normalize ? extraForNormalizing(line, length) : 0);
            if (size + lineSize > maxSize) {
                outcome = Outcome.TOO_BIG;
                continue;
            }
            size += lineSize;
            headers.line(line, length - start);
            if (normalize && (bareLf || bareCr)) {
                writeNormalized(out, line, start, length);
            } else {
                out.write(line, start, length - start);
            }
            out.write(CR);
            out.write(LF);
        }
        return new Result(outcome, size, received, headers.messageId(), headers.receivedFields());
    }

    /** Octets read from the client so far, also when reading failed (for "lost connection after DATA (N bytes)"). */
    long received() {
        return received;
    }

    private static int append(byte[] line, int length, int b) {
        if (length < line.length) {
            line[length] = (byte) b;
            return length + 1;
        }
        return length;
    }

    private static int extraForNormalizing(byte[] line, int length) {
        int extra = 0;
        for (int i = 0; i < length; i++) {
            if (line[i] == CR || line[i] == LF) {
                extra++;
            }
        }
        return extra;
    }

    private static void writeNormalized(OutputStream out, byte[] line, int start, int length) throws IOException {
        for (int i = start; i < length; i++) {
            if (line[i] == CR || line[i] == LF) {
                out.write(CR);
                out.write(LF);
            } else {
                out.write(line[i]);
            }
        }
    }
}
