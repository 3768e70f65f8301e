package org.mxguard.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Copies message content into an SMTP DATA stream: every line ends in CRLF, a line that starts
 * with "." gets a second one (RFC 5321 §4.5.2), and the content ends with CRLF "." CRLF.
 *
 * <p>Bare CR and bare LF become CRLF. The spool stores CRLF lines already; this is the last line of
 * defence against SMTP smuggling, because a lone "\n.\n" is exactly what some servers took for the
 * end of the message.
 */
final class DotStuffing {

    private DotStuffing() {
    }

    static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[8192];
        // Worst case every input byte becomes two ("\n" -> CRLF, "." at a line start -> ".."),
        // plus a pending CRLF: the converted chunk is written with one call, not byte by byte.
        byte[] converted = new byte[2 * buffer.length + 2];
        boolean lineStart = true;
        boolean pendingCr = false;
        int n;
        while ((n = in.read(buffer)) > 0) {
            int o = 0;
            for (int i = 0; i < n; i++) {
                byte b = buffer[i];
                if (pendingCr) {
                    pendingCr = false;
                    converted[o++] = '\r';
                    converted[o++] = '\n';
                    lineStart = true;
                    if (b == '\n') {
                        continue;
                    }
                }
                if (b == '\r') {
                    pendingCr = true;
                    continue;
                }
                if (b == '\n') {
                    converted[o++] = '\r';
                    converted[o++] = '\n';
                    lineStart = true;
                    continue;
                }
                if (lineStart && b == '.') {
                    converted[o++] = '.';
                }
                converted[o++] = b;
                lineStart = false;
            }
            out.write(converted, 0, o);
        }
        if (pendingCr || !lineStart) {
            out.write(new byte[] {'\r', '\n'});
        }
        out.write(new byte[] {'.', '\r', '\n'});
    }
}
