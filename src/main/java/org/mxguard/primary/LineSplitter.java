package org.mxguard.primary;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a stream of bytes into lines at LF (a CR before it is dropped), holding back a partial last
 * line until its end comes. A line longer than the limit is cut there and the rest up to its LF
 * dropped, so one runaway writer cannot make the reader hold unbounded memory.
 */
final class LineSplitter {

    private final int maxLine;
    private final Consumer<String> lines;
    private byte[] partial = new byte[256];
    private int length;
    private boolean overlong;

    LineSplitter(int maxLine, Consumer<String> lines) {
        this.maxLine = maxLine;
        this.lines = lines;
    }

    void feed(byte[] bytes, int from, int to) {
        int start = from;
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                append(bytes, start, i);
                emit();
                start = i + 1;
            }
        }
        append(bytes, start, to);
    }

    /** True while a line has begun and not ended. */
    boolean midLine() {
        return length > 0 || overlong;
    }

    /** Drops the partial line (the file it came from was truncated under it). */
    void discard() {
        length = 0;
        overlong = false;
    }

    /** Hands on the partial line as a whole one (its file ended for good without a final LF). */
    void flush() {
        if (midLine()) {
            emit();
        }
    }

    private void append(byte[] bytes, int from, int to) {
        int n = Math.min(to - from, maxLine - length);
        if (n < to - from) {
            overlong = true;
        }
        if (n <= 0) {
            return;
        }
        if (length + n > partial.length) {
            partial = Arrays.copyOf(partial, Math.min(maxLine, Math.max(length + n, partial.length * 2)));
        }
        System.arraycopy(bytes, from, partial, length, n);
        length += n;
    }

    private void emit() {
        int end = length > 0 && partial[length - 1] == '\r' ? length - 1 : length;
        String line = new String(partial, 0, end, StandardCharsets.UTF_8);
        length = 0;
        overlong = false;
        lines.accept(line);
    }
}
