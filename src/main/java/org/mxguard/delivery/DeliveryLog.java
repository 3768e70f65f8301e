package org.mxguard.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.maillog.MailLog;
import org.mxguard.spool.QueuedMessage;

/**
 * The delivery events in the mail log, worded as Postfix's qmgr, smtp and bounce programs word them,
 * so pflogsumm and other Postfix log tools count mxguard's deliveries unchanged.
 */
public final class DeliveryLog {

    private final MailLog log;

    public DeliveryLog(MailLog log) {
        this.log = log;
    }

    void active(QueuedMessage message) {
        log.log("qmgr", message.id() + ": from=" + message.envelope().sender().bracketed() + ", size=" + message.size()
                + ", nrcpt=" + message.state().pending().size() + " (queue active)");
    }

    /**
     * {@code ID: to=<r>, relay=host[ip]:port, delay=1.2, delays=a/b/c/d, dsn=2.0.0, status=sent (...)}, where
     * a is the time before this attempt, b the scheduler's own time, c connection setup and d transmission.
     */
    void result(QueueId id, DeliveryResult result, Instant received, Instant attemptStart, Attempt attempt, Instant now) {
        Duration total = Duration.between(received, now);
        Duration before = Duration.between(received, attemptStart);
        Duration queueManager = Duration.between(attemptStart, now).minus(attempt.setup()).minus(attempt.transfer());
        String status = switch (result) {
            case DeliveryResult.Delivered d -> "sent (" + d.reply() + ")";
            case DeliveryResult.Deferred d -> "deferred (" + d.reason() + ")";
            case DeliveryResult.Bounced b -> "bounced (" + b.reason() + ")";
        };
        log.log("smtp", id + ": to=" + result.recipient().bracketed() + ", relay=" + result.relay()
                + ", delay=" + seconds(total) + ", delays=" + seconds(before) + "/" + seconds(max0(queueManager)) + "/"
                + seconds(attempt.setup()) + "/" + seconds(attempt.transfer()) + ", dsn=" + result.status()
                + ", status=" + status);
    }

    void expired(QueueId id, MailAddress sender) {
        log.log("qmgr", id + ": from=" + sender.bracketed() + ", status=expired, returned to sender");
    }

    void removed(QueueId id) {
        log.log("qmgr", id + ": removed");
    }

    void nonDelivery(QueueId id, QueueId notification) {
        log.log("bounce", id + ": sender non-delivery notification: " + notification);
    }

    void delayed(QueueId id, QueueId notification) {
        log.log("bounce", id + ": sender delay notification: " + notification);
    }

    void postmaster(QueueId id, QueueId notification) {
        log.log("bounce", id + ": postmaster non-delivery notification: " + notification);
    }

    void nullSenderDropped(QueueId id, int recipients) {
        // RFC 5321 §6.1: never a notification about a notification.
        log.log("bounce", id + ": undeliverable message from <> to " + recipients
                + " recipient(s) is not returned: the sender is the null reverse-path");
    }

    void warning(String text) {
        log.log("qmgr", "warning: " + text);
    }

    void info(String program, String text) {
        log.log(program, text);
    }

    private static Duration max0(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Postfix's style: "0", "0.07", "1.2", "45", "3141". */
    static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        if (s < 0.005) {
            return "0";
        }
        if (s < 1) {
            return trim(String.format(Locale.ROOT, "%.2f", s));
        }
        if (s < 10) {
            return trim(String.format(Locale.ROOT, "%.1f", s));
        }
        return Long.toString(Math.round(s));
    }

    private static String trim(String s) {
        String t = s.contains(".") ? s.replaceAll("0+$", "") : s;
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
