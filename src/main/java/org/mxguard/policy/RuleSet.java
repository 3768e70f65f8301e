package org.mxguard.policy;

import java.nio.file.Path;
import java.util.List;

/**
 * An immutable, compiled, indexed set of rules: the unit that a reload swaps in whole. Rules keep
 * file order; {@link #find} returns the first rule, in that order, that matches the query, while
 * looking only at the candidates the indexes propose (plus the few rules no index can hold).
 *
 * <p>A rule matches at a stage when every condition is known by then and holds, and the rule has
 * not expired. A matching rule whose verdict bites at a later stage stops the evaluation too: no
 * rule below it may decide earlier than it would.
 */
public final class RuleSet {

    static final int FILE_SHIFT = 28;
    static final int BODY_SHIFT = 40;
    static final int MAX_LINE = (1 << FILE_SHIFT) - 1;
    static final int MAX_FILE = (1 << (BODY_SHIFT - FILE_SHIFT)) - 1;
    static final int MAX_BODY = (1 << (64 - BODY_SHIFT)) - 1;
    /** Longs per rule in {@link #records}: meta, hits, last hit. */
    static final int STRIDE = 3;

    private final String name;
    private final List<Path> sourceFiles;
    private final String[] files;
    /**
     * Per rule, {@link #STRIDE} longs: the meta long (body number 24 bits, file number 12 bits,
     * line 28 bits), then the hit count and the last hit time ({@link RuleCounters}). One cache
     * line gives a hit all it needs and takes its count, and a million network rules sharing one
     * body cost 24 bytes each, counters included.
     */
    private final long[] records;
    private final int size;
    private final RuleBody[] bodies;
    private final int[] unindexed;
    private final Ipv4PrefixTable v4;
    private final Ipv6PrefixTable v6;
    private final NameIndex clientNames;
    private final NameIndex helos;
    private final NameIndex senders;
    private final NameIndex recipients;
    private final RuleCounters counters;
    /**
     * Where rules were written, as runs of rules from one file on lines at a constant distance
     * from their rule numbers (a generated file is one run): a decision finds its rule's file and
     * line here, in a table that stays in cache, rather than in the rule's record. Null when
     * there are too many runs for that to pay.
     */
    private final int[] runStarts;
    private final int[] runFiles;
    private final int[] runDeltas;

    RuleSet(String name, List<Path> sourceFiles, String[] files, long[] records, RuleBody[] bodies, int[] unindexed,
            RuleSetBuilder b) {
        this.name = name;
        this.sourceFiles = List.copyOf(sourceFiles);
        this.files = files;
        this.records = records;
        this.size = records.length / STRIDE;
        this.bodies = bodies;
        this.unindexed = unindexed;
        this.v4 = b.v4;
        this.v6 = b.v6;
        this.clientNames = b.clientNames;
        this.helos = b.helos;
        this.senders = b.senders;
        this.recipients = b.recipients;
        this.counters = new RuleCounters(records, size);
        this.runStarts = b.runStarts();
        this.runFiles = b.runFiles();
        this.runDeltas = b.runDeltas();
    }

    /** A set with no rules. */
    static RuleSet empty(String name) {
        return new RuleSetBuilder(PolicySettings.DEFAULTS).build(name);
    }

    /** Compiles parsed rules; default replies come from {@code settings}. */
    static RuleSet compile(String name, List<Rule> rules, PolicySettings settings) {
        RuleSetBuilder b = new RuleSetBuilder(settings);
        rules.forEach(b::add);
        return b.build(name);
    }

    /** Reads and compiles a rule file, streaming: the parsed rules are never all in memory at once. */
    static RuleSet load(Path file, PolicySettings settings) throws PolicyParseException {
        RuleSetBuilder b = new RuleSetBuilder(settings);
        List<Path> read = RuleFileReader.read(file, settings.nullSenderGuard(), b::add);
        return b.build(file.toString(), read);
    }

    /** The files these rules were read from (rule file, includes, list files), empty if none. */
    List<Path> sourceFiles() {
        return sourceFiles;
    }

    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    RuleRef ref(int rule) {
        int[] starts = runStarts;
        if (starts == null) {
            return ref(records[rule * STRIDE]);
        }
        // The last run that starts at or before the rule.
        int lo = 0;
        int hi = starts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (starts[mid] <= rule) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return new RuleRef(files[runFiles[lo]], rule + runDeltas[lo]);
    }

    private RuleRef ref(long m) {
        return new RuleRef(files[(int) (m >>> FILE_SHIFT) & MAX_FILE], (int) m & MAX_LINE);
    }

    public RuleCounters counters() {
        return counters;
    }

    /** Approximate bytes held by the compiled rules and indexes (name indexes not counted). */
    long approximateBytes() {
        return 16L + size * 8L + bodies.length * 4L + unindexed.length * 4L + v4.bytes() + v6.bytes()
                + counters.bytes();
    }

    /** The body of a rule that {@link #first} returned. */
    RuleBody body(long match) {
        int b = (int) (match >>> 41);
        return b != 0 ? bodies[b - 1] : body(matchRule(match));
    }

    RuleBody body(int rule) {
        return bodies[(int) (records[rule * STRIDE] >>> BODY_SHIFT)];
    }

    /** The first rule that matches, or null when none does. */
    RuleMatch find(QueryView q, long nowMillis) {
        long m = first(q, nowMillis);
        if (m == NO_MATCH) {
            return null;
        }
        int rule = matchRule(m);
        return new RuleMatch(rule, ref(rule), matchActsNow(m), matchLength(m));
    }

    /** {@link #first}'s answer when no rule matches. */
    static final long NO_MATCH = -1;

    static int matchRule(long match) {
        return (int) match;
    }

    /** The prefix length of the client network the index found the rule under, or -1. */
    static int matchLength(long match) {
        return (int) (match >>> 32 & 0xff) - 1;
    }

    static boolean matchActsNow(long match) {
        return (match & 1L << 40) != 0;
    }

    /**
     * The first rule that matches, as rule | (network length + 1) << 32 | acts now << 40 | (body
     * + 1) << 41 when the index already knew the rule's body (else 0 there), or
     * {@link #NO_MATCH}: a decision allocates no match object, and no candidate list when a single
     * index proposes a single rule (the common case: one network rule, or none).
     */
    long first(QueryView q, long nowMillis) {
        CandidateList c = null;
        int network = 0;
        if (q.hasAddress) {
            if (q.v4) {
                network = v4.lookup(q.lo);
                if (network < 0) {
                    c = new CandidateList();
                    v4.addList(network, c);
                    network = 0;
                }
            } else if (v6.size() > 0) {
                c = v6.collect(q.hi, q.lo, null);
            }
        }
        if (!clientNames.isEmpty()) {
            c = clientNames.collect(q.clientName(), c);
        }
        if (!helos.isEmpty() && q.stage.compareTo(Stage.HELO) >= 0) {
            c = helos.collect(q.helo(), c);
        }
        if (!senders.isEmpty() && q.sender != null && q.stage.compareTo(Stage.MAIL) >= 0) {
            c = senders.collect(q.sender.isNullSender() ? "<>" : q.sender.domain().name(), c);
        }
        if (!recipients.isEmpty() && q.recipient != null && q.recipient.domain() != null && q.stage == Stage.RCPT) {
            c = recipients.collect(q.recipient.domain().name(), c);
        }
        int[] u = unindexed;
        if (c == null && u.length == 0) {
            if (network == 0) {
                return NO_MATCH;
            }
            int body = v4.body(network);
            if (body >= 0) {
                // A terminal network rule: it matches, and its value says with which body.
                boolean now = bodies[body].actAt.compareTo(q.stage) <= 0;
                return Ipv4PrefixTable.rule(network) | (long) (v4.length(network) + 1) << 32
                        | (now ? 1L << 40 : 0) | (long) (body + 1) << 41;
            }
            return test(Ipv4PrefixTable.rule(network), v4.length(network), q, nowMillis);
        }
        if (c == null) {
            c = new CandidateList();
        }
        if (network != 0) {
            c.add(Ipv4PrefixTable.rule(network), v4.length(network));
        }
        c.sort();
        int i = 0;
        int j = 0;
        int last = -1;
        int n = c.size();
        while (i < n || j < u.length) {
            int rule;
            int length;
            if (j >= u.length || (i < n && c.rule(i) < u[j])) {
                rule = c.rule(i);
                length = c.length(i);
                i++;
            } else {
                rule = u[j++];
                length = -1;
            }
            if (rule == last) {
                continue;
            }
            last = rule;
            long m = test(rule, length, q, nowMillis);
            if (m != NO_MATCH) {
                return m;
            }
        }
        return NO_MATCH;
    }

    private long test(int rule, int length, QueryView q, long nowMillis) {
        RuleBody body = bodies[(int) (records[rule * STRIDE] >>> BODY_SHIFT)];
        if (body.needed.compareTo(q.stage) > 0 || nowMillis >= body.expiresMillis) {
            return NO_MATCH;
        }
        if (body.implied || body.matches(q)) {
            boolean now = body.actAt.compareTo(q.stage) <= 0;
            return rule | (long) (length + 1) << 32 | (now ? 1L << 40 : 0);
        }
        return NO_MATCH;
    }
}
