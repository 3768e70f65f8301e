package org.mxguard.policyservice;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads policy delegation requests off one connection (Postfix SMTPD_POLICY_README): lines of
 * {@code name=value} ended by a newline, the request ended by an empty line. A carriage return
 * before the newline is dropped, for people who test with telnet. Values are read as UTF-8 (an
 * SMTPUTF8 sender or recipient is sent as is).
 *
 * <p>Reads through its own buffer, so that a client that sends several requests at once (the
 * protocol lets it) costs one read for all of them; {@link #hasBuffered()} says whether one is
 * waiting, so the caller flushes its answers only when the client waits for them.
 */
final class RequestReader {

    private final InputStream in;
    private final int maxLineLength;
    private final int maxAttributes;
    private final byte[] buffer;
    private int position;
    private int limit;
    private long lineNumber;
    private final String[] names = new String[128];

    RequestReader(InputStream in, int maxLineLength, int maxAttributes) {
        this.in = in;
        this.maxLineLength = maxLineLength;
        this.maxAttributes = maxAttributes;
        // Room for the longest allowed line with its CR LF, so that a line always fits once compacted.
        this.buffer = new byte[Math.max(16 * 1024, maxLineLength + 2)];
    }

    /**
     * The next request, or null when the client closed the connection between requests.
     *
     * @throws MalformedRequestException when a line is too long or not {@code name=value}, when there
     *     are too many attributes, or when the connection ends inside a request
     */
    PolicyRequest next() throws IOException, MalformedRequestException {
        Map<String, String> attributes = new HashMap<>();
        int lines = 0;
        while (true) {
            int end = lineEnd();
            if (end < 0) {
                if (lines == 0 && position == limit) {
                    return null;
                }
                throw new MalformedRequestException("the connection ended inside a request (after "
                        + lines + " attributes)");
            }
            int start = position;
            position = end + 1;
            lineNumber++;
            int contentEnd = end > start && buffer[end - 1] == '\r' ? end - 1 : end;
            if (contentEnd == start) {
                if (lines == 0) {
                    throw new MalformedRequestException("line " + lineNumber + ": a request starts with an empty line");
                }
                return new PolicyRequest(attributes);
            }
            if (++lines > maxAttributes) {
                throw new MalformedRequestException("line " + lineNumber + ": more than " + maxAttributes
                        + " attributes in one request");
            }
            int equals = indexOf(start, contentEnd, (byte) '=');
            if (equals < 0) {
                throw new MalformedRequestException("line " + lineNumber + ": not name=value: '"
                        + quote(start, contentEnd) + "'");
            }
            if (equals == start) {
                throw new MalformedRequestException("line " + lineNumber + ": an attribute without a name: '"
                        + quote(start, contentEnd) + "'");
            }
            attributes.put(name(start, equals), equals + 1 == contentEnd ? ""
                    : new String(buffer, equals + 1, contentEnd - equals - 1, StandardCharsets.UTF_8));
        }
    }

    /**
     * The attribute name in {@code buffer[start, end)}. Postfix sends the same thirty names in every
     * request, most of them with empty values: names are kept once per connection, so that a request
     * costs only the strings of its non-empty values.
     */
    private String name(int start, int end) {
        int length = end - start;
        int slot = (length * 31 + buffer[start] * 7 + buffer[end - 1]) & (names.length - 1);
        String known = names[slot];
        if (known != null && known.length() == length) {
            boolean same = true;
            for (int i = 0; i < length && same; i++) {
                same = known.charAt(i) == buffer[start + i];
            }
            if (same) {
                return known;
            }
        }
        String name = new String(buffer, start, length, StandardCharsets.UTF_8);
        names[slot] = name;
        return name;
    }

    /** True if bytes of a further request are already read. */
    boolean hasBuffered() {
        return position < limit;
    }

    /**
     * The index of the next newline, reading more as needed (moving the line to the buffer's start);
     * -1 at the end of the stream.
     */
    private int lineEnd() throws IOException, MalformedRequestException {
        int scanned = position;
        while (true) {
            int newline = indexOf(scanned, limit, (byte) '\n');
            if (newline >= 0) {
                int length = newline - position;
                if (length > 0 && buffer[newline - 1] == '\r') {
                    length--;
                }
                if (length > maxLineLength) {
                    throw tooLong();
                }
                return newline;
            }
            if (limit - position > maxLineLength + 1) {
                throw tooLong();
            }
            scanned = limit;
            if (position > 0 && limit == buffer.length) {
                System.arraycopy(buffer, position, buffer, 0, limit - position);
                scanned -= position;
                limit -= position;
                position = 0;
            }
            int read = in.read(buffer, limit, buffer.length - limit);
            if (read < 0) {
                return -1;
            }
            limit += read;
        }
    }

    private MalformedRequestException tooLong() {
        return new MalformedRequestException("line " + (lineNumber + 1) + ": longer than " + maxLineLength
                + " octets");
    }

    private int indexOf(int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (buffer[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    /** The line for a log message: at most 80 characters, control characters escaped. */
    private String quote(int start, int end) {
        String text = new String(buffer, start, Math.min(end - start, 80), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                out.append(String.format("\\x%02x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return end - start > 80 ? out + "..." : out.toString();
    }
}
