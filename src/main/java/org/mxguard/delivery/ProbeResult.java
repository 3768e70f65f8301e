package org.mxguard.delivery;

import org.mxguard.mail.Reply;

/** What the primary said about one recipient when asked with MAIL FROM:&lt;&gt; and RCPT TO. */
sealed interface ProbeResult {

    /** The primary takes mail for it. */
    record Valid() implements ProbeResult {
    }

    /** The primary refused it for good (5xx): "host mx.example[192.0.2.1] said: 550 5.1.1 ...". */
    record Invalid(Reply reply, String reason) implements ProbeResult {
    }

    /** The primary answered, but not yet (4xx for the recipient or the sender). */
    record TryLater(Reply reply, String reason) implements ProbeResult {
    }

    /** No primary could be asked: the backup's own case. */
    record Unreachable(String reason) implements ProbeResult {
    }
}
