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
 *
 * <p>NUL octets are removed from the data (Postfix's message_strip_characters with {@code \0}): RFC
 * 5322 §2.2 and RFC 6152 allow no NUL in a message, and a later hop that drops them before looking
 * for the end of data would read {@code \r\n\0.\r\n} as CRLF "." CRLF. The end line and dot-stuffing are
 * judged on the octets as sent, so such a line is stored as a "." line of content, which the
 * delivery client dot-stuffs.
 *
 * <p>Lines of any length are accepted and stored as received, as Postfix and sendmail do: a line
 * longer than the buffer ({@code lineLengthLimit}, Postfix's line_length_limit) goes to the output
 * in pieces, so memory stays bounded by the buffer whatever the client sends. Keeping within the
 * 1000 octets of RFC 5321 §4.5.3.1.6 is the delivery side's job when it passes the message on.
 */
final class DataReader {

    /** How the message ended; anything but OK means it is refused and nothing is queued. */
    enum Outcome {
        OK, TOO_BIG, BARE_LINE_FEED, BARE_CARRIAGE_RETURN
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
    private final byte[] piece;
    private final long maxSize;
    private final boolean normalize;
    private long received;

    // the DATA phase being read
    private OutputStream out;
    private HeaderScanner headers;
    private Outcome outcome;
    private long size;

    // the line being read: its current piece and what was seen in it
    private int length;
    private int pieces;
    private boolean bareLf;
    private boolean bareCr;

    /**
     * @param lineLengthLimit how many octets of a line are held in memory before they are written out
     *     (Postfix's line_length_limit); longer lines are accepted all the same
     */
    DataReader(SmtpInput in, int lineLengthLimit, long maxSize, boolean normalize) {
        this.in = in;
        this.piece = new byte[lineLengthLimit];
        this.maxSize = maxSize;
        this.normalize = normalize;
    }

    /**
     * Reads to the end of data. After a refusal it keeps reading (and discarding) to the end, so
     * the rest of the message is never taken for commands.
     *
     * @throws EOFException if the client closes the connection before the end of data
     */
    Result read(OutputStream output) throws IOException {
        out = output;
        headers = new HeaderScanner();
        outcome = Outcome.OK;
        size = 0;
        while (true) {
            length = 0;
            pieces = 0;
            bareLf = false;
            bareCr = false;
            boolean pendingCr = false;
            // One line: everything up to CR LF.
            while (true) {
                if (!pendingCr) {
                    if (length == piece.length) {
                        writePiece(false);
                    }
                    int plain = in.copyPlain(piece, length, piece.length - length);
                    length += plain;
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
                    append(CR);
                }
                if (b == CR) {
                    pendingCr = true;
                    continue;
                }
                if (b == LF) {
                    bareLf = true;
                }
                append(b);
            }
            if (pieces == 0 && length == 1 && piece[0] == '.') {
                break;
            }
            writePiece(true);
        }
        return new Result(outcome, size, received, headers.messageId(), headers.receivedFields());
    }

    /** Octets read from the client so far, also when reading failed (for "lost connection after DATA (N bytes)"). */
    long received() {
        return received;
    }

    private void append(int b) throws IOException {
        if (length == piece.length) {
            writePiece(false);
        }
        piece[length++] = (byte) b;
    }

    /** Writes the buffered piece of the current line, and the line end if it is the last piece. */
    private void writePiece(boolean lineEnd) throws IOException {
        boolean first = pieces++ == 0;
        int pieceLength = length;
        length = 0;
        if (outcome != Outcome.OK) {
            return;
        }
        // RFC 5321 §4.5.2: only a dot at the start of the line was added for transparency
        int start = first && pieceLength > 0 && piece[0] == '.' ? 1 : 0;
        pieceLength = withoutNul(piece, start, pieceLength);
        if ((bareLf || bareCr) && !normalize) {
            outcome = bareLf ? Outcome.BARE_LINE_FEED : Outcome.BARE_CARRIAGE_RETURN;
            return;
        }
        long pieceSize = pieceLength - start + (lineEnd ? 2 : 0)
                + (normalize ? extraForNormalizing(piece, pieceLength) : 0);
        if (size + pieceSize > maxSize) {
            outcome = Outcome.TOO_BIG;
            return;
        }
        size += pieceSize;
        if (first) {
            headers.line(piece, pieceLength - start);
        }
        if (normalize && (bareLf || bareCr)) {
            writeNormalized(out, piece, start, pieceLength);
        } else {
            out.write(piece, start, pieceLength - start);
        }
        if (lineEnd) {
            out.write(CR);
            out.write(LF);
        }
    }

    /** Removes the NUL octets from {@code line[start..length)} in place; returns the new length. */
    private static int withoutNul(byte[] line, int start, int length) {
        int kept = start;
        for (int i = start; i < length; i++) {
            if (line[i] != 0) {
                line[kept++] = line[i];
            }
        }
        return kept;
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
