package org.mxguard.spool;

import java.io.IOException;

/**
 * A spool file this code cannot read: either damaged, or written in a format version it does not
 * know (by a newer mxguard). The message names the file and says which.
 */
final class SpoolFormatException extends IOException {

    private final boolean unsupportedVersion;

    SpoolFormatException(String message) {
        this(message, false);
    }

    private SpoolFormatException(String message, boolean unsupportedVersion) {
        super(message);
        this.unsupportedVersion = unsupportedVersion;
    }

    static SpoolFormatException unsupportedVersion(String message) {
        return new SpoolFormatException(message, true);
    }

    /** True if the file is well-formed for some other version: it must be left for that version. */
    boolean unsupportedVersion() {
        return unsupportedVersion;
    }

    /** The same problem, with the file it was found in named first. */
    SpoolFormatException in(Object file) {
        return new SpoolFormatException(file + ": " + getMessage(), unsupportedVersion);
    }
}
