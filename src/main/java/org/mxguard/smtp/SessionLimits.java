package org.mxguard.smtp;

import java.time.Duration;

/**
 * The time and error limits a session works under for its next command: the configured ones, or
 * while most connection slots are taken ({@link ConnectionLimits#underStress()}) Postfix's stress
 * values, so that clients holding slots without sending mail lose them quickly.
 *
 * @param commandTimeout the deadline for a whole command line, however slowly its octets trickle in
 * @param dataTimeout the deadline for message data, extended by {@link #MIN_DATA_RATE} for what arrived
 * @param hardErrorLimit errors before 421 and disconnect
 * @param junkCommandLimit NOOP, RSET, VRFY, ETRN and HELP before each one counts as an error
 */
record SessionLimits(Duration commandTimeout, Duration dataTimeout, int hardErrorLimit, int junkCommandLimit) {

    /**
     * Octets per second a client sending message data must keep up for the data deadline to be
     * extended (Postfix's smtpd_min_data_rate), so a large message on a slow line still arrives
     * while one octet a second cannot hold a session.
     */
    static final long MIN_DATA_RATE = 500;

    /** Postfix's smtpd_timeout under stress: ${stress?{10}:{300}}s. */
    static final Duration STRESS_TIMEOUT = Duration.ofSeconds(10);

    static SessionLimits normal(SmtpSettings settings) {
        return new SessionLimits(settings.commandTimeout(), settings.dataTimeout(), settings.hardErrorLimit(),
                settings.junkCommandLimit());
    }

    /** Postfix's ${stress?...} values: timeouts of 10 s, one error and one junk command (never above normal). */
    static SessionLimits stress(SmtpSettings settings) {
        return new SessionLimits(min(settings.commandTimeout(), STRESS_TIMEOUT),
                min(settings.dataTimeout(), STRESS_TIMEOUT), 1, 1);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
