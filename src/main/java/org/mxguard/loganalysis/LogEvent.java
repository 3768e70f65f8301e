package org.mxguard.loganalysis;

/**
 * What one log line says about mail, in the terms the analysis needs. Sendmail puts client and
 * sender on one line ({@link From} with a client); Postfix spreads them over {@link Client},
 * {@link From} and {@link To} lines joined by queue id. Times are epoch seconds (0 when unknown).
 */
sealed interface LogEvent {

    /** The host that wrote the line (several hosts' logs may be read at once). */
    String host();

    long time();

    /** The client's address when the line names one (the events that carry it override this). */
    default String clientIp() {
        return null;
    }

    /** A client connected (Postfix {@code connect from}, postscreen {@code CONNECT from}). */
    record Connect(String host, long time, String clientName, String clientIp) implements LogEvent {
    }

    /**
     * The client did something that is no message: a disconnect, a lost connection, a failed
     * AUTH, a protocol violation. Counts as contact (with the primary MX, for instance).
     */
    record Seen(String host, long time, String clientName, String clientIp, String what) implements LogEvent {
    }

    /** Postfix smtpd {@code QID: client=name[ip]}: the message's client. */
    record Client(String host, long time, String queueId, String clientName, String clientIp) implements LogEvent {
    }

    /**
     * The envelope sender of a message: Postfix qmgr (no client) or sendmail (with the client
     * from {@code relay=}; {@code clientIp} null for local submissions).
     */
    record From(String host, long time, String queueId, String sender, long size, int nrcpts, String msgid,
            String proto, String clientName, String clientIp) implements LogEvent {
    }

    /** A delivery attempt for one recipient (or a sendmail list of them). */
    record To(String host, long time, String queueId, String recipient, int recipients, String relay, String dsn,
            Status status, String stat, String mailer) implements LogEvent {
    }

    /** The client was refused: Postfix {@code reject:}, sendmail {@code ruleset=... reject=}. */
    record Reject(String host, long time, String queueId, String clientName, String clientIp, String stage,
            String code, String reason, String sender, String recipient) implements LogEvent {
    }

    /** The message left the queue (Postfix {@code removed}, sendmail {@code done}). */
    record Removed(String host, long time, String queueId) implements LogEvent {
    }

    /**
     * No log line: a message that began in one block of lines and is still open at its end, handed
     * on by that block's join to the join of the whole log (see {@link Correlator}), with what the
     * block learnt of it: whether its sender was counted, whether it was the null sender, and for a
     * sendmail message the recipients still without a final outcome (0: not known). Its client is
     * null for a local submission (see {@link Correlator}), which the block settles whole: handed on
     * only to replace a message the whole log's join remembers under its queue id.
     */
    record Carried(String host, long time, String queueId, String clientIp, boolean counted, boolean nullSender,
            int recipientsLeft) implements LogEvent {
    }

    /** Outcome of a delivery attempt. */
    enum Status {
        SENT, DEFERRED, BOUNCED, EXPIRED, OTHER;

        static Status parse(String word) {
            if (word.startsWith("Sent") || word.startsWith("sent")) {
                return SENT;
            }
            if (word.startsWith("Deferred") || word.startsWith("deferred")) {
                return DEFERRED;
            }
            if (word.startsWith("bounced") || word.startsWith("User unknown") || word.startsWith("Service unavail")) {
                return BOUNCED;
            }
            if (word.startsWith("expired")) {
                return EXPIRED;
            }
            return OTHER;
        }
    }
}
