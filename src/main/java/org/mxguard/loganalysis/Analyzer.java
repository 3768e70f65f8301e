package org.mxguard.loganalysis;

import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Reads a backup MX's logs (and optionally the primary's), and finds where null-sender mail from
 * dial-up style hosts comes from. The entry point of the package.
 */
public final class Analyzer {

    private final AnalyzerSettings settings;

    public Analyzer(AnalyzerSettings settings) {
        this.settings = settings;
    }

    /**
     * Analyzes the logs.
     *
     * @param backupLogs the backup MX's logs, in reading order
     * @param primaryLogs the primary MX's logs, or an empty list when there are none
     * @param progress told the number of raw bytes read so far, now and then (may be null)
     */
    public Analysis analyze(List<LogSource> backupLogs, List<LogSource> primaryLogs, LongConsumer progress) {
        long start = System.nanoTime();
        Correlator correlator = new Correlator(settings.pendingMaxAge().toSeconds(), settings.maxPending());
        ParallelScanner scanner = new ParallelScanner(settings.zone(), settings.year(), settings.threads());
        scanner.join(backupLogs, correlator, progress);
        ParallelScanner primary = new ParallelScanner(settings.zone(), settings.year(), settings.threads());
        Set<String> contacts = Set.of();
        if (!primaryLogs.isEmpty()) {
            contacts = primary.clientAddresses(primaryLogs);
            scanner.errors.addAll(primary.errors);
        }
        if (progress != null) {
            progress.accept(scanner.rawBytes.get());
        }
        Ranking ranking = new Ranking(correlator.clientList(), contacts, !primaryLogs.isEmpty(), settings);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Analysis(settings, scanner.counters, scanner.errors, ranking, correlator, !primaryLogs.isEmpty(),
                contacts.size(), scanner.rawBytes.get() + primary.rawBytes.get(), seconds);
    }
}
