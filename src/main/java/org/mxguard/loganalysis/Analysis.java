package org.mxguard.loganalysis;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of reading the logs: what was read, what was skipped, the ranked clients and the
 * proposed rules. The reports and the rule writers read it; nothing else changes it.
 */
public final class Analysis {

    final AnalyzerSettings settings;
    final ParseCounters counters;
    final List<ParallelScanner.ReadError> errors;
    /** Every client's verdict, in no particular order; {@link #ranked} for the best first. */
    final List<ClientVerdict> clients;
    private final Ranking ranking;
    final List<Proposal> proposals;
    final TreeMap<Long, long[]> daily;
    /** Messages and null-sender messages per ten minutes, by the slot's start (epoch seconds). */
    final TreeMap<Long, long[]> slots;
    final boolean primaryChecked;
    final long primaryClients;
    final long bytes;
    final double seconds;
    final long maxPending;
    final long messagesWithoutClient;

    Analysis(AnalyzerSettings settings, ParseCounters counters, List<ParallelScanner.ReadError> errors,
            Ranking ranking, Correlator correlator, boolean primaryChecked, long primaryClients, long bytes,
            double seconds) {
        this.settings = settings;
        this.counters = counters;
        this.errors = List.copyOf(errors);
        this.clients = ranking.verdicts();
        this.ranking = ranking;
        this.proposals = List.copyOf(ranking.proposals());
        this.daily = correlator.daily();
        this.slots = correlator.bySlot();
        this.primaryChecked = primaryChecked;
        this.primaryClients = primaryClients;
        this.bytes = bytes;
        this.seconds = seconds;
        this.maxPending = correlator.maxPendingSeen;
        this.messagesWithoutClient = correlator.messagesWithoutClient;
    }

    /** The {@code limit} clients with the highest scores, best first. */
    List<ClientVerdict> ranked(int limit) {
        return ranking.ranked(limit);
    }

    public List<Proposal> proposals() {
        return proposals;
    }

    /** Errors reading the logs, each naming the file and line ({@code mail.log.2.gz: line 4711: ...}). */
    public List<String> errors() {
        return errors.stream().map(Object::toString).toList();
    }

    public long linesRead() {
        return counters.lines;
    }

    public Map<String, Long> skippedByKind() {
        return counters.skippedByKind();
    }

    long totalMessages() {
        return clients.stream().mapToLong(v -> v.stats.messages).sum();
    }

    long totalNullMessages() {
        return clients.stream().mapToLong(v -> v.stats.nullMessages).sum();
    }
}
