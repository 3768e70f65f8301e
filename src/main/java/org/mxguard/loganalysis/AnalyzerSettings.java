package org.mxguard.loganalysis;

import java.time.Duration;
import java.time.ZoneId;

/**
 * Thresholds and limits of the analysis.
 *
 * @param minNullMessages null-sender transactions (accepted or refused) a client needs before it
 *     can be an offender
 * @param minNullShare share of a client's transactions that must be null-sender
 * @param scoreThreshold client score (0-100) from which a client is an offender
 * @param minClientsPerRule offenders a network or subdomain rule must cover (one-client rules are
 *     written as single addresses)
 * @param ruleLifetime how long emitted rules last before they expire
 * @param top how many sources the reports list
 * @param pendingMaxAge a message whose removal was never logged is forgotten after this much log time
 * @param maxPending messages in flight remembered per logging host at most
 * @param zone time zone of RFC 3164 timestamps (they carry none)
 * @param year year of the last line of RFC 3164 logs, or null to take it from each file's time
 * @param threads parsing threads
 */
public record AnalyzerSettings(int minNullMessages, double minNullShare, int scoreThreshold,
        int minClientsPerRule, Duration ruleLifetime, int top, Duration pendingMaxAge, int maxPending,
        ZoneId zone, Integer year, int threads) {

    public static AnalyzerSettings defaults() {
        return new AnalyzerSettings(2, 0.8, 55, 2, Duration.ofDays(30), 20, Duration.ofDays(7), 200_000,
                ZoneId.systemDefault(), null, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    public AnalyzerSettings {
        if (minNullMessages < 1) {
            throw new IllegalArgumentException("minNullMessages must be at least 1, got " + minNullMessages);
        }
        if (minNullShare < 0 || minNullShare > 1) {
            throw new IllegalArgumentException("minNullShare must be between 0 and 1, got " + minNullShare);
        }
        if (scoreThreshold < 0 || scoreThreshold > 100) {
            throw new IllegalArgumentException("scoreThreshold must be between 0 and 100, got " + scoreThreshold);
        }
        if (minClientsPerRule < 1) {
            throw new IllegalArgumentException("minClientsPerRule must be at least 1, got " + minClientsPerRule);
        }
        if (ruleLifetime.isNegative() || ruleLifetime.isZero()) {
            throw new IllegalArgumentException("ruleLifetime must be positive, got " + ruleLifetime);
        }
    }

    public AnalyzerSettings withYear(Integer y) {
        return new AnalyzerSettings(minNullMessages, minNullShare, scoreThreshold, minClientsPerRule, ruleLifetime,
                top, pendingMaxAge, maxPending, zone, y, threads);
    }

    public AnalyzerSettings withZone(ZoneId z) {
        return new AnalyzerSettings(minNullMessages, minNullShare, scoreThreshold, minClientsPerRule, ruleLifetime,
                top, pendingMaxAge, maxPending, z, year, threads);
    }
}
