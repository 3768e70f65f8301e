package org.mxguard.policy;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mxguard.mail.Reply;

/**
 * Compiles rules, in order, into a {@link RuleSet}. Each rule goes into one index, chosen from its
 * positive conditions by selectivity (client network, client name, recipient, HELO, sender), or
 * into the short list of rules every query tries. The index only proposes candidates; a candidate
 * still passes its full test, so the index never changes which rule matches first.
 */
final class RuleSetBuilder {

    private record BodyKey(Action action, Reply reply, Stage actAt, long expires, String reason) {
    }

    private final PolicySettings settings;
    private final Map<String, Integer> fileNumbers = new HashMap<>();
    private final Map<BodyKey, Integer> sharedBodies = new HashMap<>();
    private String[] files = new String[4];
    /** Per rule: body number, file number and line, packed as {@link RuleSet} reads them. */
    private long[] records = new long[64 * RuleSet.STRIDE];
    private RuleBody[] bodies = new RuleBody[64];
    private int bodyCount;
    private int[] unindexed = new int[16];
    private int unindexedCount;
    /** Rules as runs of one file at a constant line - rule distance; see {@link RuleSet#ref}. */
    private int[] runStarts = new int[16];
    private int[] runFiles = new int[16];
    private int[] runDeltas = new int[16];
    private int runCount;
    /** Bodies a network value can carry ({@link RuleSet#first} packs body + 1 into 23 bits). */
    private static final long MAX_INLINE_BODY = (1L << 23) - 1;
    private int count;
    final Ipv4PrefixTable v4;
    final Ipv6PrefixTable v6 = new Ipv6PrefixTable();
    final NameIndex clientNames = new NameIndex();
    final NameIndex helos = new NameIndex();
    final NameIndex senders = new NameIndex();
    final NameIndex recipients = new NameIndex();

    RuleSetBuilder(PolicySettings settings) {
        this(settings, new Ipv4PrefixTable());
    }

    /** With a given IPv4 table, so tests can make small tables use the direct table. */
    RuleSetBuilder(PolicySettings settings, Ipv4PrefixTable v4) {
        this.settings = settings;
        this.v4 = v4;
    }

    void add(Rule rule) {
        int n = count++;
        if (n * RuleSet.STRIDE == records.length) {
            records = Arrays.copyOf(records, records.length * 2);
        }
        Integer file = fileNumbers.get(rule.ref().file());
        if (file == null) {
            file = fileNumbers.size();
            fileNumbers.put(rule.ref().file(), file);
            if (file > RuleSet.MAX_FILE) {
                throw new IllegalArgumentException("rules from more than " + RuleSet.MAX_FILE + " files");
            }
            if (file == files.length) {
                files = Arrays.copyOf(files, file * 2);
            }
            files[file] = rule.ref().file();
        }
        if (rule.ref().line() < 0 || rule.ref().line() > RuleSet.MAX_LINE) {
            throw new IllegalArgumentException("line number out of range: " + rule.ref());
        }
        Condition key = indexKey(rule);
        boolean implied = key instanceof Condition.Client && rule.conditions().size() == 1;
        long body = implied ? sharedBody(rule) : newBody(body(rule, false));
        // Always matches once reached: no rule after it in an address interval can decide.
        boolean terminal = implied && rule.expires() == null;
        addToRuns(n, file, rule.ref().line());
        records[n * RuleSet.STRIDE] = (body << RuleSet.BODY_SHIFT) | ((long) file << RuleSet.FILE_SHIFT) | rule.ref().line();
        switch (key) {
            case Condition.Client c -> {
                for (Cidr net : c.networks()) {
                    if (net.v4()) {
                        v4.add(net, n, terminal, terminal && body < MAX_INLINE_BODY ? (int) body : -1);
                    } else {
                        v6.add(net, n);
                    }
                }
            }
            case Condition.ClientName c -> c.names().forEach(p -> clientNames.add(p.name(), p.subtree(), n));
            case Condition.Helo c -> c.names().forEach(p -> helos.add(p.name(), p.subtree(), n));
            case Condition.Recipient c -> addAddresses(recipients, c.addresses(), n);
            case Condition.Sender c -> addAddresses(senders, c.addresses(), n);
            case null, default -> {
                if (unindexedCount == unindexed.length) {
                    unindexed = Arrays.copyOf(unindexed, unindexedCount * 2);
                }
                unindexed[unindexedCount++] = n;
            }
        }
    }

    private void addToRuns(int rule, int file, int line) {
        int last = runCount - 1;
        if (last >= 0 && runFiles[last] == file && runDeltas[last] == line - rule) {
            return;
        }
        if (runCount == runStarts.length) {
            runStarts = Arrays.copyOf(runStarts, runCount * 2);
            runFiles = Arrays.copyOf(runFiles, runCount * 2);
            runDeltas = Arrays.copyOf(runDeltas, runCount * 2);
        }
        runStarts[runCount] = rule;
        runFiles[runCount] = file;
        runDeltas[runCount] = line - rule;
        runCount++;
    }

    /** The runs pay while they stay few: a table per rule would cost more than the records. */
    private boolean runsPay() {
        return runCount > 0 && runCount <= Math.max(64, count / 16);
    }

    int[] runStarts() {
        return runsPay() ? Arrays.copyOf(runStarts, runCount) : null;
    }

    int[] runFiles() {
        return runsPay() ? Arrays.copyOf(runFiles, runCount) : null;
    }

    int[] runDeltas() {
        return runsPay() ? Arrays.copyOf(runDeltas, runCount) : null;
    }

    private static void addAddresses(NameIndex index, List<AddressPattern> patterns, int rule) {
        for (AddressPattern p : patterns) {
            switch (p.kind()) {
                case NULL_SENDER -> index.add("<>", false, rule);
                case MAILBOX, DOMAIN -> index.add(p.domain(), false, rule);
                case SUBTREE -> index.add(p.domain(), true, rule);
                case LOCAL_PART -> throw new IllegalStateException("not indexable: " + p);
            }
        }
    }

    /** The positive condition whose values every match must hit, most selective kind first. */
    private static Condition indexKey(Rule rule) {
        Condition best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Condition c : rule.conditions()) {
            if (c.negated()) {
                continue;
            }
            int rank = switch (c) {
                case Condition.Client x -> 0;
                case Condition.ClientName x -> 1;
                case Condition.Recipient x -> indexable(x.addresses()) ? 2 : Integer.MAX_VALUE;
                case Condition.Helo x -> 3;
                case Condition.Sender x -> indexable(x.addresses()) ? 4 : Integer.MAX_VALUE;
                default -> Integer.MAX_VALUE;
            };
            if (rank < bestRank) {
                best = c;
                bestRank = rank;
            }
        }
        return best;
    }

    private static boolean indexable(List<AddressPattern> patterns) {
        return patterns.stream().noneMatch(p -> p.kind() == AddressPattern.Kind.LOCAL_PART);
    }

    private int sharedBody(Rule rule) {
        Reply reply = replyOf(rule);
        long expires = expiry(rule.expires());
        BodyKey key = new BodyKey(rule.action(), reply, rule.actAt(), expires, rule.reason());
        Integer body = sharedBodies.get(key);
        if (body == null) {
            body = newBody(body(rule, true));
            sharedBodies.put(key, body);
        }
        return body;
    }

    private int newBody(RuleBody body) {
        if (bodyCount > RuleSet.MAX_BODY) {
            throw new IllegalArgumentException("more than " + RuleSet.MAX_BODY + " rules with conditions "
                    + "beyond one client network");
        }
        if (bodyCount == bodies.length) {
            bodies = Arrays.copyOf(bodies, bodyCount * 2);
        }
        bodies[bodyCount] = body;
        return bodyCount++;
    }

    private RuleBody body(Rule rule, boolean implied) {
        return new RuleBody(rule.action(), replyOf(rule), rule.actAt(), rule.neededStage(),
                implied ? List.of() : rule.conditions(), implied, expiry(rule.expires()), rule.reason());
    }

    private static long expiry(Instant expires) {
        return expires == null ? Long.MAX_VALUE : expires.toEpochMilli();
    }

    private Reply replyOf(Rule rule) {
        if (rule.reply() != null) {
            return rule.reply();
        }
        return switch (rule.action()) {
            case ACCEPT -> null;
            case TEMPFAIL, WARN -> settings.tempfailReply();
            case REJECT -> settings.rejectReply();
            case DISCONNECT -> rule.actAt() == Stage.CONNECT ? PolicySettings.DISCONNECT_AT_CONNECT
                    : PolicySettings.DISCONNECT;
        };
    }

    RuleSet build(String name) {
        return build(name, List.of());
    }

    RuleSet build(String name, List<java.nio.file.Path> sourceFiles) {
        String[] fileNames = Arrays.copyOf(files, fileNumbers.size());
        v4.freeze();
        return new RuleSet(name, sourceFiles, fileNames, Arrays.copyOf(records, count * RuleSet.STRIDE), Arrays.copyOf(bodies, bodyCount),
                Arrays.copyOf(unindexed, unindexedCount), this);
    }
}
