package org.mxguard.spool;

import java.io.IOException;

/** The spool's file system has no room for the message. */
public final class SpoolFullException extends IOException {

    public SpoolFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
