package org.mxguard.delivery;

import java.io.IOException;

/** The server said something that is not SMTP: a reply without a code, or a line too long. */
final class SmtpProtocolException extends IOException {

    SmtpProtocolException(String message) {
        super(message);
    }
}
