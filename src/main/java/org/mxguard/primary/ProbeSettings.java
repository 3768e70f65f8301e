package org.mxguard.primary;

import java.time.Duration;

/**
 * The health probe of the protected domains' primary MX hosts. Every field and its default is
 * documented in docs/configuration.md ({@code primary.probe}).
 *
 * @param enabled whether to probe (off: every primary is taken to be up)
 * @param interval time between two probes of one domain (60 s)
 * @param timeout for the connect and each reply of one probe (10 s)
 * @param downAfter consecutive failed probes before a primary that was up counts as down (3)
 * @param upAfter consecutive answered probes before a primary that was down counts as up (2)
 */
public record ProbeSettings(boolean enabled, Duration interval, Duration timeout, int downAfter, int upAfter) {

    public static final ProbeSettings DEFAULTS = new ProbeSettings(true, Duration.ofSeconds(60),
            Duration.ofSeconds(10), 3, 2);

    public ProbeSettings {
        if (interval == null || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("primary.probe.interval must be longer than zero");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("primary.probe.timeout must be longer than zero");
        }
        if (downAfter < 1 || upAfter < 1) {
            throw new IllegalArgumentException("primary.probe.down-after and up-after must be at least 1");
        }
    }
}
