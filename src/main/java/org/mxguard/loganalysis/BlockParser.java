package org.mxguard.loganalysis;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a block of whole log lines from its bytes. The lines that make up most of a Postfix log
 * (smtpd {@code connect from}, {@code client=}, {@code disconnect from}; qmgr {@code from=} and
 * {@code removed}; cleanup {@code message-id=}; delivery {@code to=}) are read straight from the
 * bytes and handed to a {@link Sink} as calls with their fields, the queue id packed into two
 * longs, with strings only where a field must be one; every other line, and any of these in a
 * shape other than the usual one, goes to {@link LineParser} as a string, and its events to the
 * sink. The fast path follows the string path step by step (the same searches, in the same order,
 * with the same checks), so both give the same events and counts; {@code BlockParserTest} compares
 * them over the corpus, a generated log and mangled lines of every kind (the tests' {@code EventList}
 * makes the calls events again). A byte is a Latin-1 character on both paths, so no decoding can
 * differ.
 *
 * <p>Sendmail's {@code from=}, {@code to=}, {@code done;} and {@code ruleset=} lines are read from
 * the bytes too (their {@code key=value} list split by {@link SendmailSpans}); its other lines are
 * counted as skipped from their bytes, or handed to {@link SendmailParser} as a string of their
 * message part when they are of the few it reads.
 *
 * <p>Mirrors, each marked so at both ends, to be changed together: {@link SyslogHeader#parse}
 * (the RFC 3164 stamp, in {@code stamp}), {@link PostfixParser} (the program, queue id and the
 * smtpd, qmgr, cleanup and delivery lines, in {@code fast}, {@code from}, {@code delivery}),
 * {@link ClientAddress} (Postfix's {@code name[ip]} and its character classes, in {@code client}
 * and {@code KINDS}; sendmail's {@code relay=}, in {@code parseSendmailClient}),
 * {@link SendmailParser} (in {@code sendmailFrom}, {@code sendmailTo}, {@code sendmailReject},
 * {@code sendmailSeen}, {@code sendmailOther}, {@code skipKind}).
 */
final class BlockParser {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final byte[] MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POSTFIX = ascii("postfix");
    private static final byte[] CLIENT = ascii("client=");
    private static final byte[] CONNECT = ascii("connect from ");
    private static final byte[] DISCONNECT = ascii("disconnect from ");
    private static final byte[] FROM = ascii("from=<");
    private static final byte[] REMOVED = ascii("removed");
    private static final byte[] TO = ascii("to=<");
    private static final byte[] MESSAGE_ID = ascii("message-id=");
    private static final byte[] REJECT = ascii("reject: ");
    private static final byte[] MILTER_REJECT = ascii("milter-reject: ");
    private static final byte[] NOQUEUE = ascii("NOQUEUE");
    private static final byte[] UNKNOWN = ascii("unknown");
    private static final byte[] IPV6 = ascii("IPv6:");
    private static final byte[] SIZE_KEY = ascii(">, size=");
    private static final byte[] SIZE = ascii(", size=");
    private static final byte[] NRCPT = ascii(", nrcpt=");
    private static final byte[] RCPT_END = ascii(">, ");
    private static final byte[] RELAY = ascii(", relay=");
    private static final byte[] DSN = ascii(", dsn=");
    private static final byte[] STATUS = ascii(", status=");
    private static final byte[] COMMA_SPACE = ascii(", ");
    private static final byte[] SENDMAIL = ascii("sendmail");
    private static final byte[] SM_DASH = ascii("sm-");
    private static final byte[] SM_FROM = ascii("from=");
    private static final byte[] SM_TO = ascii("to=");
    private static final byte[] SM_DONE = ascii("done;");
    private static final byte[] RULESET = ascii("ruleset=");
    private static final byte[] KEY_RULESET = ascii("ruleset");
    private static final byte[] KEY_REJECT = ascii("reject");
    private static final byte[] KEY_ARG1 = ascii("arg1");
    private static final byte[] DOTS = ascii("... ");
    private static final byte[] CHECK_MAIL = ascii("check_mail");
    private static final byte[] CHECK_RCPT = ascii("check_rcpt");
    private static final byte[] LOST_INPUT = ascii("lost input channel from ");
    private static final byte[] DID_NOT_ISSUE = ascii(" did not issue MAIL/EXPN/VRFY/ETRN");
    private static final byte[] AUTH_FAILURE = ascii("AUTH failure");
    private static final byte[] REJECTING = ascii("rejecting commands from ");
    private static final byte[] SMTP_ATTACK = ascii(": possible SMTP attack");
    private static final byte[] REJECTED = ascii(" [rejected]");
    private static final byte[] TO_MTA = ascii(" to ");
    private static final byte[] DUE_TO = ascii(" due to ");
    private static final byte[] BRACKET_COLON = ascii("]: ");
    private static final byte[] MAY_BE_FORGED = ascii("(may be forged)");
    private static final byte[] KEY_FROM = ascii("from");
    private static final byte[] KEY_SIZE = ascii("size");
    private static final byte[] KEY_NRCPTS = ascii("nrcpts");
    private static final byte[] KEY_MSGID = ascii("msgid");
    private static final byte[] KEY_PROTO = ascii("proto");
    private static final byte[] KEY_TO = ascii("to");
    private static final byte[] KEY_RELAY = ascii("relay");
    private static final byte[] KEY_DSN = ascii("dsn");
    private static final byte[] KEY_STAT = ascii("stat");
    private static final byte[] KEY_MAILER = ascii("mailer");
    // The longest prefix LogEvent.Status.parse looks at ("Service unavail").
    private static final int STATUS_PREFIX = 15;
    private static final int SESSIONS = 1024;

    // Character kinds, by byte: letter or digit, digit, upper-case hex letter, host-name character
    // (ClientAddress.hostName), address character (ClientAddress.address, less ':' and '.').
    private static final int ALNUM = 1;
    private static final int DIGIT = 2;
    private static final int HEX = 4;
    private static final int HOST = 8;
    private static final int ADDRESS = 16;
    private static final byte[] KINDS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            boolean digit = c >= '0' && c <= '9';
            boolean letter = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
            int kind = (digit || letter ? ALNUM : 0) | (digit ? DIGIT : 0) | (c >= 'A' && c <= 'F' ? HEX : 0)
                    | (digit || letter || c == '.' || c == '-' || c == '_' ? HOST : 0)
                    | (digit || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' ? ADDRESS : 0);
            KINDS[c] = (byte) kind;
        }
    }

    /**
     * Where the parsed lines go. The usual Postfix lines come as calls with their fields (the
     * queue id packed, see {@link LogQueueId}; the client as the {@link ClientRef} its recent lines
     * share), so that a join needs no event object or string for them; every other line comes as
     * the events the string path makes of it. Calls come in log order.
     */
    interface Sink {
        /** Events of a line the fast path did not take (or a reject, which it leaves to the string path's code). */
        void event(LogEvent e);

        void connect(String host, long time, ClientRef client);

        void disconnect(String host, long time, ClientRef client);

        void client(String host, long time, long queueHigh, long queueLow, ClientRef client);

        /**
         * A message's sender; unless {@link #details} asks for it, a sender that is not empty comes
         * as null (a join needs only to know whether it is the null sender).
         */
        void from(String host, long time, long queueHigh, long queueLow, String sender, long size, int nrcpts);

        /**
         * A delivery to {@code recipients} recipients (sendmail names several on one line when it
         * delivers them together); recipient, relay, dsn and the whole stat are null unless
         * {@link #details} asks for them, and mailer is sendmail's (null for Postfix).
         */
        void to(String host, long time, long queueHigh, long queueLow, LogEvent.Status status, String stat,
                String recipient, int recipients, String relay, String dsn, String mailer);

        /**
         * A sendmail {@code from=} line: the message, its sender and its client together. The client
         * is null when the line has no {@code relay=}, and has no address for a local submission
         * (its name is then the whole {@code relay=} text, {@code user@localhost}). Unless
         * {@link #details} asks for them, msgid and proto are null and so is a sender that is not empty.
         */
        void message(String host, long time, long queueHigh, long queueLow, ClientRef client, String sender, long size,
                int nrcpts, String msgid, String proto);

        void removed(String host, long time, long queueHigh, long queueLow);

        /**
         * A sendmail refusal of the client {@code client} names (its {@code relay=}): the string
         * path's event, with the client as its recent lines share it.
         */
        default void reject(LogEvent.Reject r, ClientRef client) {
            event(r);
        }

        /** A sendmail client seen without mail ({@code what}: why), as {@link LogEvent.Seen} says it. */
        default void seen(String host, long time, ClientRef client, String what) {
            event(new LogEvent.Seen(host, time, client.name, client.ip, what));
        }

        /** Whether to carry the fields no join reads: a sender that is not empty, a delivery's recipient, relay, dsn. */
        default boolean details() {
            return false;
        }
    }

    /**
     * A client as its recent lines name it, one object for all of them (see {@link Recent}), with
     * a place for what a join found for it, so that the join looks the client up once.
     */
    static final class ClientRef {
        final String name;
        final String ip;
        /** Set by the one join that sees this parser's lines, with the join's table generation. */
        ClientStats stats;
        int generation;

        ClientRef(String name, String ip) {
            this.name = name;
            this.ip = ip;
        }
    }

    /** What the fast path does with a program's lines. */
    private enum Daemon { SMTPD, QMGR, CLEANUP, DELIVERY, SENDMAIL, OTHER }

    private final LineParser lines;
    private final PostfixParser postfix;
    private final SendmailParser sendmail;
    private final ParseCounters counters;
    private final SyslogHeader days;
    private final LastString senders = new LastString();
    private final LastString relays = new LastString();
    private final LastString dsns = new LastString();
    private final LastString stats = new LastString();
    private final LastString mailers = new LastString();
    private final LastString protos = new LastString();
    private final LastString rulesets = new LastString();
    private final LastString codes = new LastString();
    private final LastString reasons = new LastString();
    private final SendmailSpans fields = new SendmailSpans();
    // The kinds of the last skipped sendmail lines, by their bytes, and their counters (see skipKind).
    private final byte[][] skipKinds = new byte[8][];
    private final long[][] skipSlots = new long[8][];
    private int nextSkipKind;
    private long stampHead = -1;
    private long stampTail = -1;
    private long stampTime;
    private byte[] hostBytes = new byte[0];
    private String host;
    // The programs seen lately (a log has a handful) and what the fast path does with each.
    private final byte[][] programs = new byte[8][];
    private final Daemon[] daemons = new Daemon[8];
    private int nextProgram;
    private Daemon daemon = Daemon.OTHER;
    private long[] messageIdSkips;
    private final Recent recent;
    // The client of the line being parsed, set by client().
    private ClientRef clientRef;
    // The string path's events for one line.
    private final List<LogEvent> scratch = new java.util.ArrayList<>(4);
    // What the fast path found on its line, handed to the sink by emit() once the parse is over.
    private static final int NOTHING = 0;
    private static final int FOUND_CONNECT = 1;
    private static final int FOUND_DISCONNECT = 2;
    private static final int FOUND_CLIENT = 3;
    private static final int FOUND_FROM = 4;
    private static final int FOUND_TO = 5;
    private static final int FOUND_REMOVED = 6;
    private static final int FOUND_MESSAGE = 8;
    /** A sendmail refusal: its event in {@link #scratch}, its client in {@link #clientRef}. */
    private static final int FOUND_REJECT = 9;
    /** A sendmail client seen without mail: its client in {@link #clientRef}, why in {@link #foundWhat}. */
    private static final int FOUND_SEEN = 10;
    /** A reject line: the string path's events for it are in {@link #scratch}. */
    private static final int FOUND_EVENTS = 7;
    private int found;
    private long foundTime;
    private long foundHigh;
    private long foundLow;
    private String foundSender;
    private long foundSize;
    private int foundRecipients;
    private LogEvent.Status foundStatus;
    private String foundStat;
    private String foundRecipient;
    private String foundRelay;
    private String foundDsn;
    private String foundMailer;
    private String foundMsgid;
    private String foundProto;
    private String foundWhat;
    /** Lines the fast path took (for the tests). */
    long fastLines;
    /**
     * Only client addresses are wanted (the primary MX's log): Postfix's qmgr and delivery lines,
     * which never name a client, are counted and passed over once their program is known.
     */
    private final boolean[] passOver = new boolean[Daemon.values().length];

    /**
     * Clients of recent lines by their {@code name[ip]} bytes, with the strings made for them,
     * kept from block to block: one thread's parsers share one (see ParallelScanner). A client's
     * lines repeat those bytes (its connect, client= and disconnect lines, and its next sessions):
     * a line whose bytes are here is taken whole, strings and all. (The programs are not kept
     * so: a new one is then met at every block, and the compiled parser keeps that path.)
     */
    static final class Recent {
        private final byte[][] keys = new byte[SESSIONS][];
        private final ClientRef[] clients = new ClientRef[SESSIONS];
        // Sendmail's relay= texts apart: the same bytes can mean another client in the two formats.
        private final byte[][] sendmailKeys = new byte[SESSIONS][];
        private final ClientRef[] sendmailClients = new ClientRef[SESSIONS];
    }

    BlockParser(ZoneId zone, int referenceYear, int referenceMonth, ParseCounters counters) {
        this(zone, referenceYear, referenceMonth, counters, new Recent());
    }

    BlockParser(ZoneId zone, int referenceYear, int referenceMonth, ParseCounters counters, Recent recent) {
        this.recent = recent;
        this.lines = new LineParser(zone, referenceYear, referenceMonth, counters);
        this.postfix = new PostfixParser(counters);
        this.sendmail = new SendmailParser(counters);
        this.counters = counters;
        this.days = new SyslogHeader(zone, referenceYear, referenceMonth);
    }

    /** Takes only the lines that can name a client; see {@link #passOver}. */
    BlockParser clientsOnly() {
        passOver[Daemon.QMGR.ordinal()] = true;
        passOver[Daemon.DELIVERY.ordinal()] = true;
        return this;
    }

    /** Parses the lines in {@code b[0, length)} (a last line without a newline included). */
    void parse(byte[] b, int length, Sink out) {
        boolean details = out.details();
        int start = 0;
        while (start < length) {
            int nl = newline(b, start, length);
            int end = nl < 0 ? length : nl;
            int stop = end > start && b[end - 1] == '\r' ? end - 1 : end;
            boolean done;
            try {
                done = fast(b, start, stop, details);
            } catch (RuntimeException e) {
                // A shape the fast path did not foresee: the string path decides. Only the parse
                // is fenced: the sink's calls below are outside, so a bug in the join is seen.
                done = false;
            }
            if (done) {
                fastLines++;
                emit(out);
            } else {
                slow(new String(b, start, stop - start, StandardCharsets.ISO_8859_1), out);
            }
            start = end + 1;
        }
    }

    private void slow(String line, Sink out) {
        // Events a fast attempt at this line made before it gave up are not the line's.
        scratch.clear();
        try {
            lines.parse(line, scratch);
        } catch (RuntimeException e) {
            // A line no parser foresaw must cost that line, never the run.
            counters.skip("unparsable (" + e.getClass().getSimpleName() + ")");
        }
        for (int i = 0; i < scratch.size(); i++) {
            out.event(scratch.get(i));
        }
        scratch.clear();
    }

    /** Hands the line {@link #fast} took to the sink, outside the parse's fence. */
    private void emit(Sink out) {
        switch (found) {
            case FOUND_CONNECT -> out.connect(host, foundTime, clientRef);
            case FOUND_DISCONNECT -> out.disconnect(host, foundTime, clientRef);
            case FOUND_CLIENT -> out.client(host, foundTime, foundHigh, foundLow, clientRef);
            case FOUND_FROM -> out.from(host, foundTime, foundHigh, foundLow, foundSender, foundSize, foundRecipients);
            case FOUND_TO -> out.to(host, foundTime, foundHigh, foundLow, foundStatus, foundStat, foundRecipient,
                    foundRecipients, foundRelay, foundDsn, foundMailer);
            case FOUND_MESSAGE -> out.message(host, foundTime, foundHigh, foundLow, clientRef, foundSender, foundSize,
                    foundRecipients, foundMsgid, foundProto);
            case FOUND_REMOVED -> out.removed(host, foundTime, foundHigh, foundLow);
            case FOUND_SEEN -> out.seen(host, foundTime, clientRef, foundWhat);
            case FOUND_REJECT -> {
                out.reject((LogEvent.Reject) scratch.get(0), clientRef);
                scratch.clear();
            }
            case FOUND_EVENTS -> {
                for (int i = 0; i < scratch.size(); i++) {
                    out.event(scratch.get(i));
                }
                scratch.clear();
            }
            default -> { }
        }
    }

    private void found(int what, long time, long high, long low) {
        found = what;
        foundTime = time;
        foundHigh = high;
        foundLow = low;
    }

    /**
     * The usual Postfix lines, or false (having changed nothing) to leave the line to the string
     * path. Mirrors {@link SyslogHeader#parse} (RFC 3164 stamps only) and {@link PostfixParser}.
     */
    private boolean fast(byte[] b, int s, int e, boolean details) {
        found = NOTHING;
        if (e - s <= 16 || b[s + 3] != ' ' || b[s + 6] != ' ' || b[s + 15] != ' ' || b[s + 16] == '<') {
            return false;
        }
        long head = (long) LONGS.get(b, s);
        long tail = (long) LONGS.get(b, s + 7);
        long time;
        // One test for both words: with two, the first one fails only when the day or the hour
        // turns, which the compiled parser may not have seen yet.
        if (((head ^ stampHead) | (tail ^ stampTail)) == 0) {
            time = stampTime;
        } else {
            time = stamp(b, s);
            if (time == Long.MIN_VALUE) {
                return false;
            }
            stampHead = head;
            stampTail = tail;
            stampTime = time;
        }
        // Host: up to the next space.
        int p = s + 16;
        int hostEnd;
        int hl = hostBytes.length;
        // One branch for a new block's first line (no host yet) and for another host than the last
        // line's, the comparison itself without one: a log that several hosts write to (a central
        // log host's) changes host within a block, which a log of one host, on which the compiled
        // parser may have been trained, never does; a branch never taken there would be compiled
        // as a trap, and the parser thrown away and compiled again at the first change.
        int miss = hl == 0 || p + hl >= e ? 1 : (b[p + hl] ^ ' ') | differ(b, p, hostBytes, hl);
        if (miss == 0) {
            hostEnd = p + hl;
        } else {
            hostEnd = indexOf(b, (byte) ' ', p, e);
            if (hostEnd <= p) {
                return false;
            }
            hostBytes = Arrays.copyOfRange(b, p, hostEnd);
            host = new String(hostBytes, StandardCharsets.ISO_8859_1);
        }
        // Program: up to the first ": ", less a "[pid]"; no space in it. The fast path takes only
        // lines whose first space after the host is that of the ": ".
        p = hostEnd + 1;
        int space = indexOf(b, (byte) ' ', p, e);
        if (space <= p || b[space - 1] != ':') {
            return false;
        }
        int colon = space - 1;
        int progEnd = colon;
        if (b[colon - 1] == ']') {
            int open = lastIndexOf(b, (byte) '[', p, colon);
            if (open > p) {
                progEnd = open;
            }
        }
        if (progEnd - p > 64 || !program(b, p, progEnd)) {
            return false;
        }
        // A table, not a test of clientsOnly: the compiled parser then takes a clients-only
        // block's smtpd lines down the very path it took for the full log's, and is not thrown
        // away when the primary MX's log comes after the backup's.
        if (passOver[daemon.ordinal()]) {
            counters.lines++;
            return true;
        }
        // Queue id: the alphanumeric run before the first ": " of the message.
        p = colon + 2;
        int messageStart = p;
        // One pass for the run and for SendmailParser.isQueueId's test: 5 to 20 characters, with a
        // digit or all upper-case hex.
        int k = p;
        boolean digit = false;
        boolean hex = true;
        int kind;
        while (k < e && (kind = KINDS[b[k] & 0xff] & (ALNUM | DIGIT | HEX)) != 0) {
            digit |= (kind & DIGIT) != 0;
            hex &= (kind & (DIGIT | HEX)) != 0;
            k++;
        }
        boolean queued = false;
        long high = 0;
        long low = 0;
        if (k > p && k + 1 < e && b[k] == ':' && b[k + 1] == ' ') {
            if (k - p >= 5 && k - p <= LogQueueId.MAX && (digit || hex)) {
                if (daemon == Daemon.CLEANUP && startsWith(b, k + 2, e, MESSAGE_ID)) {
                    // The commonest line that needs nothing from its queue id.
                    return skipMessageId();
                }
                // Packed, not made a string (see LogQueueId): ten characters a long.
                int split = Math.min(k, p + 10);
                for (int i = p; i < split; i++) {
                    high = high << 6 | LogQueueId.code(b[i] & 0xff);
                }
                for (int i = split; i < k; i++) {
                    low = low << 6 | LogQueueId.code(b[i] & 0xff);
                }
                queued = true;
                p = k + 2;
            } else if (k - p == NOQUEUE.length && startsWith(b, p, e, NOQUEUE)) {
                p = k + 2;
            }
        }
        // Each case checks all it needs before it hands the line on: false leaves the line, untouched, to the
        // string path.
        switch (daemon) {
            case SMTPD -> {
                if (queued && startsWith(b, p, e, CLIENT)) {
                    if (!client(b, p + CLIENT.length, e)) {
                        return false;
                    }
                    found(FOUND_CLIENT, time, high, low);
                } else if (startsWith(b, p, e, CONNECT)) {
                    if (!client(b, p + CONNECT.length, e)) {
                        return false;
                    }
                    found(FOUND_CONNECT, time, 0, 0);
                } else if (startsWith(b, p, e, DISCONNECT)) {
                    if (!client(b, p + DISCONNECT.length, e)) {
                        return false;
                    }
                    found(FOUND_DISCONNECT, time, 0, 0);
                } else if (startsWith(b, p, e, REJECT) || startsWith(b, p, e, MILTER_REJECT)) {
                    // NOQUEUE rejects: a string of the message part only, read by the string
                    // path's own reject(), so the string path's header and dispatch stay cold.
                    String message = new String(b, p, e - p, StandardCharsets.ISO_8859_1);
                    postfix.reject(message, message.indexOf(' ') + 1, host, time,
                            queued ? LogQueueId.unpack(high, low) : null, scratch);
                    counters.lines++;
                    if (!scratch.isEmpty()) {
                        counters.parsed++;
                    }
                    found = FOUND_EVENTS;
                    return true;
                } else {
                    return false;
                }
            }
            case QMGR -> {
                if (!queued) {
                    return false;
                }
                if (startsWith(b, p, e, FROM)) {
                    from(b, p, e, time, high, low, details);
                } else if (startsWith(b, p, e, REMOVED)) {
                    found(FOUND_REMOVED, time, high, low);
                } else if (!startsWith(b, p, e, TO) || !delivery(b, p, e, time, high, low, details)) {
                    return false;
                }
            }
            case CLEANUP -> {
                if (queued && (startsWith(b, p, e, REJECT) || startsWith(b, p, e, MILTER_REJECT))
                        || !startsWith(b, p, e, MESSAGE_ID)) {
                    return false;
                }
                return skipMessageId();
            }
            case DELIVERY -> {
                if (!queued || !startsWith(b, p, e, TO) || !delivery(b, p, e, time, high, low, details)) {
                    return false;
                }
            }
            case SENDMAIL -> {
                // Mirrors SendmailParser.parse for from=, to= and done; hands it the message part of
                // the other lines, whose header is read.
                if (!queued) {
                    return startsWith(b, messageStart, e, RULESET)
                            ? sendmailReject(b, messageStart, e, time, null, details)
                            : sendmailOther(b, messageStart, messageStart, false, e, time);
                }
                if (startsWith(b, p, e, SM_FROM)) {
                    if (!sendmailFrom(b, p, e, time, high, low, details)) {
                        return false;
                    }
                } else if (startsWith(b, p, e, SM_TO)) {
                    if (!sendmailTo(b, p, e, time, high, low, details)) {
                        return false;
                    }
                } else if (startsWith(b, p, e, SM_DONE)) {
                    found(FOUND_REMOVED, time, high, low);
                } else if (startsWith(b, p, e, RULESET)) {
                    return sendmailReject(b, p, e, time, details ? LogQueueId.unpack(high, low) : null, details);
                } else {
                    return sendmailOther(b, messageStart, p, true, e, time);
                }
            }
            default -> {
                return false;
            }
        }
        counters.lines++;
        counters.parsed++;
        return true;
    }

    /**
     * Sendmail's {@code ruleset=R, arg1=A, relay=CLIENT, reject=CODE TEXT}, as
     * {@code SendmailParser.reject} reads it, into {@link #scratch} as the string path's event. The
     * queue id and the sender and recipient that are not the null sender only with details: a
     * join of a refusal that names its client reads neither. False when the line has more fields
     * than {@link SendmailSpans} keeps.
     */
    private boolean sendmailReject(byte[] b, int p, int e, long time, String queueId, boolean details) {
        if (!fields.split(b, p, e)) {
            return false;
        }
        int relay = fields.find(KEY_RELAY);
        int reject = fields.find(KEY_REJECT);
        ClientRef client = relay < 0 ? null : sendmailClient(b, fields.start(relay), fields.end(relay));
        counters.lines++;
        found = FOUND_EVENTS;
        if (client == null || client.ip == null || reject < 0) {
            counters.skip("sendmail: ruleset line without a clear relay= and reject=");
            return true;
        }
        int rs = fields.find(KEY_RULESET);
        String ruleset = value(b, rs, rulesets);
        int s = fields.start(reject);
        int t = fields.end(reject);
        String code = codes.get(b, s, Math.min(t, s + 3));
        // SendmailParser.reason: past the code and the enhanced status, then past "... " when there is one.
        int i = s;
        int spaces = 0;
        while (i < t && spaces < 2) {
            byte c = b[i];
            if (c == ' ') {
                spaces++;
            } else if (!(isDigit(c) || c == '.')) {
                break;
            }
            i++;
        }
        int dots = indexOf(b, DOTS, i, t);
        String reason = reasons.get(b, dots >= 0 ? dots + DOTS.length : i, t);
        String sender = null;
        String recipient = null;
        int arg1 = fields.find(KEY_ARG1);
        boolean mail = rs >= 0 && fields.end(rs) - fields.start(rs) == CHECK_MAIL.length
                && startsWith(b, fields.start(rs), fields.end(rs), CHECK_MAIL);
        boolean rcpt = rs >= 0 && fields.end(rs) - fields.start(rs) == CHECK_RCPT.length
                && startsWith(b, fields.start(rs), fields.end(rs), CHECK_RCPT);
        if (arg1 >= 0 && (mail || rcpt)) {
            int as = fields.start(arg1);
            int at = fields.end(arg1);
            if (at - as >= 2 && b[as] == '<' && b[at - 1] == '>') {
                as++;
                at--;
            }
            String address = details ? new String(b, as, at - as, StandardCharsets.ISO_8859_1) : as == at ? "" : null;
            if (mail) {
                sender = address;
            } else {
                recipient = address;
            }
        }
        scratch.add(new LogEvent.Reject(host, time, queueId, client.name, client.ip, ruleset, code, reason, sender,
                recipient));
        clientRef = client;
        found = FOUND_REJECT;
        counters.parsed++;
        return true;
    }

    /**
     * A sendmail line that is none of {@code from=}, {@code to=}, {@code done;}, {@code ruleset=}
     * with a queue id: counted as skipped, by kind, when it is none of the lines that
     * {@link SendmailParser#parse} reads either (a daemon start, a connection note...), else a
     * string of its message part, from {@code start}, read by {@link SendmailParser} as
     * {@link LineParser} would after the header. {@code pos} is where the message follows its queue id.
     */
    private boolean sendmailOther(byte[] b, int start, int pos, boolean queued, int e, long time) {
        // SendmailParser.parse's tests, in its order, for the lines it does not skip.
        boolean read = startsWith(b, pos, e, SM_FROM) || startsWith(b, pos, e, SM_TO)
                || startsWith(b, pos, e, RULESET) || startsWith(b, pos, e, LOST_INPUT)
                || indexOf(b, DID_NOT_ISSUE, pos, e) >= 0 || startsWith(b, pos, e, AUTH_FAILURE)
                || startsWith(b, pos, e, SM_DONE) || startsWith(b, pos, e, REJECTING)
                || queued && (indexOf(b, SMTP_ATTACK, pos, e) >= 0
                        || e - pos >= REJECTED.length && startsWith(b, e - REJECTED.length, e, REJECTED));
        if (!read) {
            skipKind(b, pos, e)[0]++;
            counters.lines++;
            found = NOTHING;
            return true;
        }
        if (queued && sendmailSeen(b, start, pos, e, time)) {
            return true;
        }
        String message = new String(b, start, e - start, StandardCharsets.ISO_8859_1);
        sendmail.parse(message, 0, host, time, scratch);
        counters.lines++;
        if (!scratch.isEmpty()) {
            counters.parsed++;
        }
        found = FOUND_EVENTS;
        return true;
    }

    /**
     * The lines of {@code SendmailParser.parse} that name a client seen without mail (lost input
     * channel, no MAIL command, AUTH failure, pre-greeting traffic, SMTP attack, a refused VRFY or
     * EXPN), with a queue id, read as it reads them: its searches, in its order, over the message
     * part from {@code start}. False, having changed nothing, for its other lines.
     */
    private boolean sendmailSeen(byte[] b, int start, int pos, int e, long time) {
        if (startsWith(b, pos, e, SM_FROM) || startsWith(b, pos, e, SM_TO) || startsWith(b, pos, e, RULESET)
                || startsWith(b, pos, e, SM_DONE)) {
            return false;
        }
        int at;
        if (startsWith(b, pos, e, LOST_INPUT)) {
            seen(b, pos + LOST_INPUT.length, lastIndexOf(b, TO_MTA, start, e), time, "lost input channel");
        } else if ((at = indexOf(b, DID_NOT_ISSUE, pos, e)) >= 0) {
            seen(b, pos, at, time, "did not issue MAIL");
        } else if (startsWith(b, pos, e, AUTH_FAILURE)) {
            int relay = lastIndexOf(b, RELAY, start, e);
            if (relay < 0) {
                counters.lines++;
                counters.skip("sendmail: AUTH failure without relay");
                found = NOTHING;
                return true;
            }
            seen(b, relay + RELAY.length, e, time, "AUTH failure");
        } else if (startsWith(b, pos, e, REJECTING)) {
            seen(b, pos + REJECTING.length, indexOf(b, DUE_TO, pos, e), time, "pre-greeting traffic");
        } else if ((at = indexOf(b, SMTP_ATTACK, pos, e)) >= 0) {
            seen(b, pos, at, time, "SMTP attack");
        } else if (e - pos >= REJECTED.length && startsWith(b, e - REJECTED.length, e, REJECTED)) {
            // The string path's indexOf("]: ") + 1, where not found is the message's first byte.
            at = indexOf(b, BRACKET_COLON, pos, e);
            seen(b, pos, at < 0 ? start : at + 1, time, "VRFY rejected");
        } else {
            return false;
        }
        return true;
    }

    /** {@code SendmailParser.seen} on bytes: the client in {@code b[from, to)}, past leading spaces. */
    private void seen(byte[] b, int from, int to, long time, String what) {
        while (from < to && b[from] == ' ') {
            from++;
        }
        ClientRef client = to > from ? sendmailClient(b, from, to) : null;
        counters.lines++;
        // sendmailClient names a text it cannot read as a client with no address.
        if (client == null || client.ip == null) {
            counters.skip("sendmail: " + what + " without a clear client");
            found = NOTHING;
            return;
        }
        counters.parsed++;
        found = FOUND_SEEN;
        foundTime = time;
        foundWhat = what;
        clientRef = client;
    }

    /**
     * The counter of a skipped sendmail line's kind, as {@code SendmailParser.skipKey} names it
     * ({@code "sendmail: "} and the first word or two), found by the kind's bytes among the last few.
     */
    private long[] skipKind(byte[] b, int pos, int e) {
        int end = pos;
        int words = 0;
        while (end < e && words < 2) {
            int c = b[end] & 0xff;
            if (c == ' ' || c == '=' || c == ':' || c == ',') {
                words++;
                if (words == 2 || c != ' ') {
                    break;
                }
            } else if (c >= '0' && c <= '9' || c == '<' || c == '[') {
                break;
            }
            end++;
        }
        int n = end - pos;
        for (int i = 0; i < skipKinds.length; i++) {
            byte[] k = skipKinds[i];
            if (k != null && k.length == n && LastString.same(b, pos, k, 0, n)) {
                return skipSlots[i];
            }
        }
        // String.trim: no byte up to ' ' at either end.
        int from = pos;
        int to = end;
        while (from < to && (b[from] & 0xff) <= ' ') {
            from++;
        }
        while (to > from && (b[to - 1] & 0xff) <= ' ') {
            to--;
        }
        String kind = n == 0 ? "other" : new String(b, from, to - from, StandardCharsets.ISO_8859_1);
        int i = nextSkipKind++ & (skipKinds.length - 1);
        skipKinds[i] = Arrays.copyOfRange(b, pos, end);
        skipSlots[i] = counters.slot("sendmail: " + kind);
        return skipSlots[i];
    }

    /** Counts a cleanup {@code message-id=} line as the string path does: skipped, by kind. */
    private boolean skipMessageId() {
        if (messageIdSkips == null) {
            messageIdSkips = counters.slot("postfix/cleanup: message-id");
        }
        counters.lines++;
        messageIdSkips[0]++;
        return true;
    }

    /** {@code Mmm dd hh:mm:ss} (the day space-padded or two digits), or Long.MIN_VALUE. */
    private long stamp(byte[] b, int s) {
        int month = -1;
        for (int i = 0; i < 12; i++) {
            if (MONTHS[i * 3] == b[s] && MONTHS[i * 3 + 1] == b[s + 1] && MONTHS[i * 3 + 2] == b[s + 2]) {
                month = i + 1;
                break;
            }
        }
        if (month < 0 || !isDigit(b[s + 5])) {
            return Long.MIN_VALUE;
        }
        // The day is space-padded below 10: no branch on which, since a log's first nine days
        // would teach the compiled parser that one never happens (see SyslogHeader.dayStart).
        // Bit arithmetic, since a comparison that yields a boolean is a branch too.
        int tensByte = b[s + 4];
        int tens = tensByte - '0';
        int notDigit = (tens | (9 - tens)) >>> 31;
        int notSpace = ((tensByte ^ ' ') | -(tensByte ^ ' ')) >>> 31;
        if ((notDigit & notSpace) != 0) {
            return Long.MIN_VALUE;
        }
        int day = (tens & ~(tens >> 31)) * 10 + b[s + 5] - '0';
        int h = twoDigits(b, s + 7);
        int m = twoDigits(b, s + 10);
        int sec = twoDigits(b, s + 13);
        if (day < 1 || day > 31 || h < 0 || m < 0 || sec < 0 || b[s + 9] != ':' || b[s + 12] != ':') {
            return Long.MIN_VALUE;
        }
        int year = month > days.referenceMonth ? days.referenceYear - 1 : days.referenceYear;
        return days.dayStart(year, month, day) + h * 3600L + m * 60L + sec;
    }

    /** Sets {@link #daemon} for the program in {@code b[from, to)}; false when it is none of Postfix's. */
    private boolean program(byte[] b, int from, int to) {
        int n = to - from;
        for (int i = 0; i < programs.length; i++) {
            byte[] known = programs[i];
            if (known != null && known.length == n && LastString.same(b, from, known, 0, n)) {
                daemon = daemons[i];
                return daemon != Daemon.OTHER;
            }
        }
        int slot = nextProgram++ & (programs.length - 1);
        programs[slot] = Arrays.copyOfRange(b, from, to);
        daemons[slot] = daemonOf(programs[slot]);
        daemon = daemons[slot];
        return daemon != Daemon.OTHER;
    }

    private static Daemon daemonOf(byte[] program) {
        // LineParser's choice: postfix* first, then sendmail and sm-*.
        if (!startsWith(program, 0, program.length, POSTFIX)) {
            boolean sendmail = program.length == SENDMAIL.length && startsWith(program, 0, program.length, SENDMAIL)
                    || startsWith(program, 0, program.length, SM_DASH);
            return sendmail ? Daemon.SENDMAIL : Daemon.OTHER;
        }
        int slash = lastIndexOf(program, (byte) '/', 0, program.length);
        String name = new String(program, slash + 1, program.length - slash - 1, StandardCharsets.ISO_8859_1);
        return switch (name) {
            case "smtpd" -> Daemon.SMTPD;
            case "qmgr" -> Daemon.QMGR;
            case "cleanup" -> Daemon.CLEANUP;
            case "smtp", "lmtp", "local", "virtual", "pipe", "error", "discard", "retry" -> Daemon.DELIVERY;
            default -> Daemon.OTHER;
        };
    }

    /**
     * Postfix's {@code name[ip]} as {@link ClientAddress#parsePostfix} reads it: the address in the
     * last bracket pair before the first space. False when it does not, and when the name is not a
     * host name: the string path then keeps the address without the name.
     */
    private boolean client(byte[] b, int from, int e) {
        int space = indexOf(b, (byte) ' ', from, e);
        int close = lastIndexOf(b, (byte) ']', from, space < 0 ? e : space);
        if (close < 0) {
            return false;
        }
        int open = lastIndexOf(b, (byte) '[', from, close);
        if (open < 0) {
            return false;
        }
        // The same name[ip] bytes pass the same checks: a recent client is taken whole, strings
        // and all. The last eight bytes, the end of the address, pick its slot.
        int length = close + 1 - from;
        int slot = (int) (((long) LONGS.get(b, close - 7) * 0x9E3779B97F4A7C15L) >>> 54) & (SESSIONS - 1);
        byte[] known = recent.keys[slot];
        if (known != null && known.length == length && LastString.same(b, from, known, 0, length)) {
            clientRef = recent.clients[slot];
            return true;
        }
        String name = null;
        if (open > from) {
            if (open - from > 253) {
                return false;
            }
            for (int i = from; i < open; i++) {
                if ((KINDS[b[i] & 0xff] & HOST) == 0) {
                    return false;
                }
            }
            int nameEnd = b[open - 1] == '.' ? open - 1 : open;
            if (!(nameEnd - from == UNKNOWN.length && startsWith(b, from, nameEnd, UNKNOWN))) {
                name = new String(b, from, nameEnd - from, StandardCharsets.ISO_8859_1);
            }
        }
        String ip = bracketedAddress(b, open + 1, close);
        if (ip == null) {
            return false;
        }
        clientRef = new ClientRef(name, ip);
        recent.keys[slot] = Arrays.copyOfRange(b, from, close + 1);
        recent.clients[slot] = clientRef;
        return true;
    }

    /** qmgr {@code from=<S>, size=N, nrcpt=N}, as {@code PostfixParser.qmgr} reads it. */
    private void from(byte[] b, int p, int e, long time, long high, long low, boolean details) {
        int end = lastIndexOf(b, SIZE_KEY, p, e);
        if (end < p) {
            end = addressEnd(b, p + FROM.length, e);
        }
        String sender = details ? senders.get(b, p + FROM.length, end) : end == p + FROM.length ? "" : null;
        long size = numberAfter(b, SIZE, end, e);
        long nrcpt = numberAfter(b, NRCPT, end, e);
        found(FOUND_FROM, time, high, low);
        foundSender = sender;
        foundSize = size;
        foundRecipients = (int) nrcpt;
    }

    /**
     * {@code to=<R>, relay=..., dsn=..., status=...}, as {@code PostfixParser.delivery} reads it;
     * false when it is not one. Recipient, relay and dsn only when {@code details} asks for them.
     */
    private boolean delivery(byte[] b, int p, int e, long time, long high, long low, boolean details) {
        int rcptEnd = indexOf(b, RCPT_END, p + TO.length, e);
        if (rcptEnd < 0) {
            return false;
        }
        String recipient = null;
        String relay = null;
        String dsn = null;
        if (details) {
            recipient = new String(b, p + TO.length, rcptEnd - p - TO.length, StandardCharsets.ISO_8859_1);
            relay = fieldValue(b, RELAY, rcptEnd, e, relays);
            dsn = fieldValue(b, DSN, rcptEnd, e, dsns);
        }
        int st = indexOf(b, STATUS, rcptEnd, e);
        LogEvent.Status status = LogEvent.Status.OTHER;
        String word = null;
        if (st >= 0) {
            int wordEnd = indexOf(b, (byte) ' ', st + STATUS.length, e);
            word = stats.get(b, st + STATUS.length, wordEnd < 0 ? e : wordEnd);
            status = LogEvent.Status.parse(word);
        }
        found(FOUND_TO, time, high, low);
        foundStatus = status;
        foundStat = word;
        foundRecipient = recipient;
        foundRecipients = 1;
        foundRelay = relay;
        foundDsn = dsn;
        foundMailer = null;
        return true;
    }

    /**
     * Sendmail's {@code from=<S>, size=N, ..., nrcpts=N, msgid=<M>, proto=P, ..., relay=CLIENT}, as
     * {@code SendmailParser.from} reads it: the fields before the last {@code ", relay="}, the client
     * after it. False when the line has more fields than {@link SendmailSpans} keeps.
     */
    private boolean sendmailFrom(byte[] b, int p, int e, long time, long high, long low, boolean details) {
        int relay = lastIndexOf(b, RELAY, p, e);
        // A join reads only the sender and nrcpts, which sendmail writes before the long msgid=.
        if (!fields.split(b, p, relay < p ? e : relay, details ? null : KEY_NRCPTS)) {
            return false;
        }
        ClientRef client = null;
        if (relay > p) {
            client = sendmailClient(b, relay + RELAY.length, e);
        }
        int from = fields.find(KEY_FROM);
        String sender = null;
        if (from >= 0) {
            int s = fields.start(from);
            int t = fields.end(from);
            if (t - s >= 2 && b[s] == '<' && b[t - 1] == '>') {
                s++;
                t--;
            }
            sender = details ? senders.get(b, s, t) : s == t ? "" : null;
        }
        found(FOUND_MESSAGE, time, high, low);
        clientRef = client;
        foundSender = sender;
        foundSize = number(b, fields.find(KEY_SIZE));
        foundRecipients = (int) number(b, fields.find(KEY_NRCPTS));
        foundMsgid = details ? value(b, fields.find(KEY_MSGID), null) : null;
        foundProto = details ? value(b, fields.find(KEY_PROTO), protos) : null;
        return true;
    }

    /**
     * Sendmail's {@code to=R, ..., mailer=M, ..., relay=H, dsn=D, stat=S}, as {@code SendmailParser.to}
     * reads it. Without details, the status is read from the first bytes of the stat only.
     */
    private boolean sendmailTo(byte[] b, int p, int e, long time, long high, long low, boolean details) {
        if (!fields.split(b, p, e)) {
            return false;
        }
        int stat = fields.find(KEY_STAT);
        int dsn = fields.find(KEY_DSN);
        LogEvent.Status status = LogEvent.Status.OTHER;
        String statText = null;
        if (stat >= 0) {
            int s = fields.start(stat);
            int t = fields.end(stat);
            statText = details ? new String(b, s, t - s, StandardCharsets.ISO_8859_1) : null;
            // Status.parse reads a prefix of at most 15 bytes, none of which is '(' or ':': the
            // bytes up to the first of those give its answer, and repeat from line to line
            // ("Sent (<id> Message accepted...)" does not).
            int cut = Math.min(t, s + STATUS_PREFIX);
            for (int k = s; k < cut; k++) {
                if (b[k] == '(' || b[k] == ':') {
                    cut = k;
                    break;
                }
            }
            status = LogEvent.Status.parse(stats.get(b, s, cut));
        } else if (dsn >= 0) {
            status = fields.end(dsn) > fields.start(dsn) && b[fields.start(dsn)] == '2' ? LogEvent.Status.SENT
                    : LogEvent.Status.OTHER;
        }
        found(FOUND_TO, time, high, low);
        foundStatus = status;
        foundStat = statText;
        int to = fields.find(KEY_TO);
        foundRecipient = details ? value(b, to, null) : null;
        foundRecipients = fields.recipients(to);
        foundRelay = details ? value(b, fields.find(KEY_RELAY), relays) : null;
        foundDsn = details ? value(b, dsn, dsns) : null;
        foundMailer = details ? value(b, fields.find(KEY_MAILER), mailers) : null;
        return true;
    }

    /** The value of field {@code i} of {@link #fields} as a string (through {@code last} when given); null for -1. */
    private String value(byte[] b, int i, LastString last) {
        if (i < 0) {
            return null;
        }
        int s = fields.start(i);
        int t = fields.end(i);
        return last != null ? last.get(b, s, t) : new String(b, s, t - s, StandardCharsets.ISO_8859_1);
    }

    /** Field {@code i} of {@link #fields} as {@code SendmailParser.number} reads it: digits only, else -1. */
    private long number(byte[] b, int i) {
        if (i < 0) {
            return -1;
        }
        int s = fields.start(i);
        int t = fields.end(i);
        long n = 0;
        for (int k = s; k < t; k++) {
            byte c = b[k];
            if (!isDigit(c) || n > Long.MAX_VALUE / 10 - 10) {
                return -1;
            }
            n = n * 10 + c - '0';
        }
        return t == s ? -1 : n;
    }

    /**
     * Sendmail's client in {@code b[from, e)}, as {@link ClientAddress#parseSendmail} reads it, or,
     * when that finds none, a client with no address named by the whole text (a local submission).
     * The same bytes give the same client: a recent one is taken whole.
     */
    private ClientRef sendmailClient(byte[] b, int from, int e) {
        int length = e - from;
        int slot = (length >= 8 ? (int) (((long) LONGS.get(b, e - 8) * 0x9E3779B97F4A7C15L) >>> 54) : length)
                & (SESSIONS - 1);
        byte[] known = recent.sendmailKeys[slot];
        if (known != null && known.length == length && LastString.same(b, from, known, 0, length)) {
            return recent.sendmailClients[slot];
        }
        ClientRef client = parseSendmailClient(b, from, e);
        if (client == null) {
            client = new ClientRef(new String(b, from, length, StandardCharsets.ISO_8859_1), null);
        }
        recent.sendmailKeys[slot] = Arrays.copyOfRange(b, from, e);
        recent.sendmailClients[slot] = client;
        return client;
    }

    /** Mirrors {@link ClientAddress#parseSendmail}; null where it returns null. */
    private static ClientRef parseSendmailClient(byte[] b, int from, int to) {
        int end = to;
        while (end > from && b[end - 1] == ' ') {
            end--;
        }
        if (end - MAY_BE_FORGED.length >= from && startsWith(b, end - MAY_BE_FORGED.length, end, MAY_BE_FORGED)) {
            end -= MAY_BE_FORGED.length;
            while (end > from && b[end - 1] == ' ') {
                end--;
            }
        }
        if (end <= from || b[end - 1] != ']') {
            return null;
        }
        int open = lastIndexOf(b, (byte) '[', from, end);
        if (open < from) {
            return null;
        }
        String name = null;
        if (open > from && b[open - 1] != '@') {
            if (b[open - 1] != ' ') {
                return null;
            }
            int at = lastIndexOf(b, (byte) '@', from, open - 1);
            int nameStart = at >= from ? at + 1 : from;
            int nameEnd = open - 1;
            if (nameEnd <= nameStart || nameEnd - nameStart > 253) {
                return null;
            }
            for (int i = nameStart; i < nameEnd; i++) {
                if ((KINDS[b[i] & 0xff] & HOST) == 0) {
                    return null;
                }
            }
            if (b[nameEnd - 1] == '.') {
                nameEnd--;
            }
            name = new String(b, nameStart, nameEnd - nameStart, StandardCharsets.ISO_8859_1);
        }
        String ip = bracketedAddress(b, open + 1, end - 1);
        return ip == null ? null : new ClientRef(name, ip);
    }

    private static String fieldValue(byte[] b, byte[] key, int from, int e, LastString last) {
        int at = indexOf(b, key, from, e);
        if (at < 0) {
            return null;
        }
        int start = at + key.length;
        int end = indexOf(b, COMMA_SPACE, start, e);
        return last.get(b, start, end < 0 ? e : end);
    }

    private static long numberAfter(byte[] b, byte[] key, int from, int e) {
        int at = indexOf(b, key, from, e);
        if (at < 0) {
            return -1;
        }
        long n = 0;
        int i = at + key.length;
        int start = i;
        while (i < e && isDigit(b[i]) && i - start < 18) {
            n = n * 10 + b[i++] - '0';
        }
        return i == start ? -1 : n;
    }

    /** End of an address written as {@code <...>} followed by a space, comma or the line's end. */
    private static int addressEnd(byte[] b, int start, int e) {
        int i = start;
        while (true) {
            int gt = indexOf(b, (byte) '>', i, e);
            if (gt < 0) {
                return e;
            }
            if (gt + 1 == e || b[gt + 1] == ' ' || b[gt + 1] == ',') {
                return gt;
            }
            i = gt + 1;
        }
    }

    /** Zero when {@code b[at, at + n)} equals {@code k[0, n)}, with no branch on the bytes. */
    private static int differ(byte[] b, int at, byte[] k, int n) {
        long d = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            d |= (long) LONGS.get(b, at + i) ^ (long) LONGS.get(k, i);
        }
        for (; i < n; i++) {
            d |= b[at + i] ^ k[i];
        }
        return (int) (d | d >>> 32);
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private static int twoDigits(byte[] b, int at) {
        byte x = b[at];
        byte y = b[at + 1];
        if (!isDigit(x) || !isDigit(y)) {
            return -1;
        }
        return (x - '0') * 10 + y - '0';
    }

    private static boolean startsWith(byte[] b, int at, int e, byte[] prefix) {
        return e - at >= prefix.length && LastString.same(b, at, prefix, 0, prefix.length);
    }

    /** The first '\n' in {@code b[from, limit)}; -1 when there is none. */
    static int newline(byte[] b, int from, int limit) {
        return indexOf(b, (byte) '\n', from, limit);
    }

    /**
     * The first {@code c} in {@code b[from, e)}, eight bytes at a time (a zero byte of
     * {@code word ^ c...c} marks it; the lowest flagged byte is exact); -1 when there is none.
     */
    private static int indexOf(byte[] b, byte c, int from, int e) {
        long pattern = ONES * (c & 0xff);
        int i = from;
        for (; i + 8 <= e; i += 8) {
            long x = (long) LONGS.get(b, i) ^ pattern;
            long t = (x - ONES) & ~x & HIGHS;
            if (t != 0) {
                return i + (Long.numberOfTrailingZeros(t) >>> 3);
            }
        }
        for (; i < e; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] b, byte[] key, int from, int e) {
        int last = e - key.length;
        int i = from;
        while (i <= last) {
            int at = indexOf(b, key[0], i, last + 1);
            if (at < 0) {
                return -1;
            }
            if (LastString.same(b, at, key, 0, key.length)) {
                return at;
            }
            i = at + 1;
        }
        return -1;
    }

    /** The last {@code c} in {@code b[from, to)}; -1 when there is none. */
    private static int lastIndexOf(byte[] b, byte c, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** The last {@code key} that lies wholly in {@code b[from, e)}; -1 when there is none. */
    private static int lastIndexOf(byte[] b, byte[] key, int from, int e) {
        byte first = key[0];
        for (int i = e - key.length; i >= from; i--) {
            if (b[i] == first && LastString.same(b, i, key, 0, key.length)) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The address between {@code [} and {@code ]} ({@code from} and {@code to}, an {@code IPv6:}
     * prefix dropped), IPv6 in lower case; null unless it holds only address characters with at
     * least one dot or colon.
     */
    private static String bracketedAddress(byte[] b, int from, int to) {
        int ipFrom = from;
        if (startsWith(b, ipFrom, to, IPV6)) {
            ipFrom += IPV6.length;
        }
        if (to <= ipFrom || to - ipFrom > 45) {
            return null;
        }
        boolean colon = false;
        boolean dot = false;
        for (int i = ipFrom; i < to; i++) {
            byte c = b[i];
            if (c == ':') {
                colon = true;
            } else if (c == '.') {
                dot = true;
            } else if ((KINDS[c & 0xff] & ADDRESS) == 0) {
                return null;
            }
        }
        if (!colon && !dot) {
            return null;
        }
        String ip = new String(b, ipFrom, to - ipFrom, StandardCharsets.ISO_8859_1);
        return colon ? ip.toLowerCase(java.util.Locale.ROOT) : ip;
    }
}
