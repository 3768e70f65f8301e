package org.mxguard.smtp;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The spool's content stream, with its first failure kept instead of thrown, so the session still
 * reads the message to its end (and can answer 451 in sync) when the spool disk fails mid-message.
 */
final class GuardedOutput extends OutputStream {

    private final OutputStream out;
    private IOException failure;

    GuardedOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public void write(int b) {
        if (failure == null) {
            try {
                out.write(b);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (failure == null) {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public void flush() {
        if (failure == null) {
            try {
                out.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /** The first write failure, or null. */
    IOException failure() {
        return failure;
    }
}
