package org.mxguard.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The text header every spool file starts with: a line naming the file kind and format version
 * ("mxguard-spool-message 1"), then "key value" lines in printable ASCII, then an empty line. Values
 * are {@link FieldValue}-escaped by the caller. Lines end with LF alone, as they are never mail text.
 *
 * <p>The empty line doubles as an end marker: a header cut short by a crash or a full disk has none
 * and is reported as damaged rather than read as a shorter, valid one.
 */
final class HeaderText {

    /** Far above any real header (a thousand recipients of 300 octets), small enough to read at once. */
    static final int MAX_BYTES = 4 << 20;

    private final StringBuilder text = new StringBuilder(512);

    HeaderText(String kind, int version) {
        text.append(kind).append(' ').append(version).append('\n');
    }

    HeaderText put(String key, String escapedValue) {
        text.append(key).append(' ').append(escapedValue).append('\n');
        return this;
    }

    /** The octet offset at which the next {@link #put} value will start. */
    int valueOffset(String key) {
        return text.length() + key.length() + 1;
    }

    /**
     * The header's octets.
     *
     * @throws IllegalArgumentException if it exceeds {@link #MAX_BYTES}: refused when written, it can
     *     never be a file that recovery would then have to call damaged
     */
    byte[] finish() {
        text.append('\n');
        if (text.length() > MAX_BYTES) {
            throw new IllegalArgumentException("spool header of " + text.length() + " octets exceeds the limit of "
                    + MAX_BYTES + " (too many or too long recipients)");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A header as read: its fields in file order and its length in octets, empty line included. */
    record Parsed(HeaderFields fields, long length) {
    }

    /**
     * Reads a header of the given kind and version from the start of {@code in}, leaving {@code in}
     * positioned just after the empty line.
     */
    static Parsed read(InputStream in, String kind, int version) throws IOException {
        long[] consumed = {0};
        String first = readLine(in, consumed);
        if (first == null || first.isEmpty()) {
            throw new SpoolFormatException("empty file, expected \"" + kind + " " + version + "\"");
        }
        int space = first.indexOf(' ');
        if (space < 0 || !first.substring(0, space).equals(kind)) {
            throw new SpoolFormatException("not a " + kind + " file: first line is \"" + first + "\"");
        }
        String versionText = first.substring(space + 1);
        if (!versionText.matches("[0-9]{1,9}")) {
            throw new SpoolFormatException("bad version \"" + versionText + "\" on the first line");
        }
        int found = Integer.parseInt(versionText);
        if (found != version) {
            throw SpoolFormatException.unsupportedVersion("format version " + found + " of " + kind
                    + " is not supported by this mxguard, which reads version " + version
                    + "; the file is left in place for the mxguard that wrote it");
        }
        List<HeaderFields.Field> fields = new ArrayList<>();
        for (;;) {
            String line = readLine(in, consumed);
            if (line == null) {
                throw new SpoolFormatException("header ends without its empty line (file truncated)");
            }
            if (line.isEmpty()) {
                return new Parsed(new HeaderFields(fields), consumed[0]);
            }
            int sp = line.indexOf(' ');
            if (sp <= 0) {
                throw new SpoolFormatException("header line without a value: \"" + line + "\"");
            }
            fields.add(new HeaderFields.Field(line.substring(0, sp), line.substring(sp + 1)));
        }
    }

    /** One LF-terminated line of printable ASCII, or null at end of input before any octet. */
    private static String readLine(InputStream in, long[] consumed) throws IOException {
        StringBuilder line = new StringBuilder(80);
        for (;;) {
            int b = in.read();
            if (b < 0) {
                if (line.isEmpty()) {
                    return null;
                }
                throw new SpoolFormatException("file truncated inside the header line \"" + line + "\"");
            }
            if (++consumed[0] > MAX_BYTES) {
                throw new SpoolFormatException("header longer than " + MAX_BYTES + " octets");
            }
            if (b == '\n') {
                return line.toString();
            }
            if (b < 0x20 || b > 0x7E) {
                throw new SpoolFormatException("octet 0x" + Integer.toHexString(b) + " in header at offset "
                        + (consumed[0] - 1));
            }
            line.append((char) b);
        }
    }
}
