package org.mxguard.primary;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How mxguard learns about the primary MX hosts: their log files to follow, the syslog receiver
 * they forward to, and the health probe. Every field and its default is documented in
 * docs/configuration.md ({@code primary}).
 *
 * @param logFiles the primary's mail logs to follow by name, as {@code tail -F} (none)
 * @param pollInterval how often a followed file is checked for new lines and rotation (1 s)
 * @param syslog the syslog receiver (off)
 * @param probe the health probe (on)
 */
public record PrimarySettings(List<Path> logFiles, Duration pollInterval, SyslogSettings syslog, ProbeSettings probe) {

    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    public PrimarySettings {
        logFiles = List.copyOf(logFiles);
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("primary.poll-interval must be longer than zero");
        }
    }

    public static PrimarySettings defaults() {
        return new PrimarySettings(List.of(), DEFAULT_POLL_INTERVAL, SyslogSettings.none(), ProbeSettings.DEFAULTS);
    }
}
