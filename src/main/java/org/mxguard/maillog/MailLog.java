package org.mxguard.maillog;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes the mail log: one line per event in Postfix's syslog format, so pflogsumm, fail2ban and
 * every log tool written for Postfix read it unchanged:
 *
 * <pre>Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[4242]: connect from host.example[192.0.2.1]</pre>
 *
 * <p>The default syslog name {@code postfix-mxguard} follows Postfix's multi-instance convention
 * ({@code postfix-NAME}), which fail2ban's stock {@code postfix} filter matches and pflogsumm reads
 * with {@code --syslog-name=postfix-mxguard}. Thread-safe.
 */
public final class MailLog {

    /** RFC 3164 timestamp: day of month padded with a space, as syslogd writes it. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private final String hostname;
    private final String syslogName;
    private final long pid;
    private final Clock clock;
    private final ZoneId zone;
    private final LogSink sink;

    public MailLog(String hostname, String syslogName, Clock clock, LogSink sink) {
        this.hostname = hostname;
        this.syslogName = syslogName;
        this.pid = ProcessHandle.current().pid();
        this.clock = clock;
        this.zone = clock.getZone();
        this.sink = sink;
    }

    /** A log that drops everything, for tests and tools that do not log mail events. */
    public static MailLog discarding() {
        return new MailLog("localhost", "postfix-mxguard", Clock.systemDefaultZone(), LogSink.DISCARD);
    }

    /**
     * Logs one event of a program ("smtpd", "qmgr", "smtp", "bounce", "policy"). The message must not
     * contain line breaks; any that arrive (from client input) are replaced so one event stays one line.
     */
    public void log(String program, String message) {
        String stamp = STAMP.format(ZonedDateTime.ofInstant(clock.instant(), zone));
        String line = stamp + " " + hostname + " " + syslogName + "/" + program + "[" + pid + "]: "
                + sanitize(message);
        sink.write(line);
    }

    /** Replaces control characters, so a client cannot start a forged log line with CR or LF. */
    static String sanitize(String message) {
        StringBuilder out = null;
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                if (out == null) {
                    out = new StringBuilder(message.length()).append(message, 0, i);
                }
                out.append('?');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? message : out.toString();
    }

    public String hostname() {
        return hostname;
    }

    public String syslogName() {
        return syslogName;
    }
}
