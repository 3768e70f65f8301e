package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies message content into an SMTP DATA stream: every line ends in CRLF, no line is longer
 * than the line length limit, a line that starts with "." gets a second one (RFC 5321 §4.5.2), and
 * the content ends with CRLF "." CRLF.
 *
 * <p>Bare CR and bare LF become CRLF, and NUL octets are dropped (RFC 5322 §2.3 allows neither in
 * a message; Postfix's message_strip_characters does the same). The spool stores CRLF lines
 * already; this is the last line of defence against SMTP smuggling: no output line other than the
 * last can be ".", or become "." for a parser that drops NULs or takes a bare CR or LF for a line end.
 *
 * <p>Long lines (RFC 5322 §2.1.1: at most 998 octets before CRLF) are broken as Postfix's
 * smtp_line_length_limit breaks them, with the break placed so the reader loses nothing where it
 * can be: before the last space or tab that fits, so the next line starts with that whitespace (a
 * header field is then folded exactly, RFC 5322 §2.2.3, and HTML reads the same); where no
 * whitespace fits, after {@code limit} octets with CRLF SPACE inserted, as Postfix does. Either way
 * a continuation line starts with whitespace, so it can never start with "." and end the data.
 */
final class DotStuffing {

    /** RFC 5322 §2.1.1 and Postfix's smtp_line_length_limit default: octets before CRLF. */
    static final int LINE_LIMIT = 998;

    private static final byte[] CRLF = {'\r', '\n'};

    private DotStuffing() {
    }

    static void copy(InputStream in, OutputStream out) throws IOException {
        copy(in, out, LINE_LIMIT);
    }

    /** @param limit octets per line before CRLF, not counting a stuffed dot (at least 2) */
    static void copy(InputStream in, OutputStream out, int limit) throws IOException {
        new Writer(out, limit).copy(in);
    }

    /** The state of one copy: the output line being built, held back until it ends or must break. */
    private static final class Writer {

        private final OutputStream out;
        private final int limit;
        private final byte[] line;
        private int length;
        /** The held bytes start an original line (not a continuation), so a leading dot is stuffed. */
        private boolean lineStart = true;

        Writer(OutputStream out, int limit) {
            this.out = out;
            this.limit = limit;
            this.line = new byte[limit];
        }

        void copy(InputStream in) throws IOException {
            byte[] buffer = new byte[8192];
            boolean pendingCr = false;
            boolean open = false;
            int n;
            while ((n = in.read(buffer)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buffer[i];
                    if (pendingCr) {
                        pendingCr = false;
                        endLine();
                        open = false;
                        if (b == '\n') {
                            continue;
                        }
                    }
                    if (b == '\r') {
                        pendingCr = true;
                    } else if (b == '\n') {
                        endLine();
                        open = false;
                    } else if (b != 0) {
                        add(b);
                        open = true;
                    }
                }
            }
            if (pendingCr || open) {
                endLine();
            }
            out.write(new byte[] {'.', '\r', '\n'});
        }

        private void add(byte b) throws IOException {
            if (length == limit) {
                breakLine();
            }
            line[length++] = b;
        }

        /** The held line is full and goes on: emit part of it and keep the rest as a continuation. */
        private void breakLine() throws IOException {
            int cut = length - 1;
            while (cut > 0 && line[cut] != ' ' && line[cut] != '\t') {
                cut--;
            }
            if (cut > 0) {
                // Fold before the whitespace: the next line starts with it, nothing is inserted.
                emit(cut);
                out.write(CRLF);
                System.arraycopy(line, cut, line, 0, length - cut);
                length -= cut;
            } else {
                // No whitespace to fold at: Postfix's CRLF SPACE after the limit.
                emit(length);
                out.write(CRLF);
                line[0] = ' ';
                length = 1;
            }
        }

        private void endLine() throws IOException {
            emit(length);
            out.write(CRLF);
            length = 0;
            lineStart = true;
        }

        private void emit(int count) throws IOException {
            if (lineStart && count > 0 && line[0] == '.') {
                out.write('.');
            }
            lineStart = false;
            out.write(line, 0, count);
        }
    }
}
