package org.mxguard.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Where the mail log goes.
 *
 * @param file the log file, or null for standard output (unless syslog is set)
 * @param syslog a syslog server to send the lines to over UDP instead, or null
 * @param syslogName the program name in each line, before "/smtpd": {@code postfix-mxguard} by default
 *     (Postfix's multi-instance form, which fail2ban's stock filter and pflogsumm read)
 */
public record LogSettings(Path file, InetSocketAddress syslog, String syslogName) {

    public static final String DEFAULT_SYSLOG_NAME = "postfix-mxguard";
}
