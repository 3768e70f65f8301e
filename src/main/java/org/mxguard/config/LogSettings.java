package org.mxguard.config;

import java.nio.file.Path;

/**
 * Where the mail log goes.
 *
 * @param file the log file, or null for standard output
 * @param syslogName the program name in each line, before "/smtpd": {@code postfix-mxguard} by default
 *     (Postfix's multi-instance form, which fail2ban's stock filter and pflogsumm read)
 */
public record LogSettings(Path file, String syslogName) {

    public static final String DEFAULT_SYSLOG_NAME = "postfix-mxguard";
}
