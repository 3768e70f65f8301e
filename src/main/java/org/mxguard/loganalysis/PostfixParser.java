package org.mxguard.loganalysis;

import java.util.List;

/**
 * Reads the message part of Postfix lines (any syslog name starting with {@code postfix}, so
 * {@code postfix-mxguard/smtpd}, mxguard's own, too). The client is only ever taken from the
 * {@code name[ip]} at the fixed place Postfix writes it (right after {@code client=},
 * {@code connect from}, {@code reject: RCPT from}), never searched for in the rest of the line,
 * which carries HELO names, addresses and reply text the client chose.
 *
 * <p>Mirrored byte by byte in {@link BlockParser} (its {@code fast}, {@code from} and
 * {@code delivery}) for the usual smtpd, qmgr, cleanup and delivery lines: a change here is made
 * there too, and {@code BlockParserTest} compares the two.
 */
final class PostfixParser {

    private final ParseCounters counters;

    PostfixParser(ParseCounters counters) {
        this.counters = counters;
    }

    void parse(String line, SyslogHeader h, List<LogEvent> out) {
        String daemon = h.daemon;
        int pos = h.messageStart;
        String queueId = null;
        int colon = line.indexOf(": ", pos);
        if (colon > pos && (SendmailParser.isQueueId(line, pos, colon) || line.startsWith("NOQUEUE: ", pos))) {
            queueId = line.startsWith("NOQUEUE: ", pos) ? null : line.substring(pos, colon);
            pos = colon + 2;
        } else if (colon == -1 && line.endsWith(": removed") && daemon.equals("qmgr")) {
            colon = line.length() - 9;
        }
        switch (daemon) {
            case "smtpd" -> smtpd(line, pos, h, queueId, out);
            case "postscreen" -> postscreen(line, pos, h, out);
            case "qmgr" -> qmgr(line, pos, h, queueId, out);
            case "cleanup" -> cleanup(line, pos, h, queueId, out);
            case "smtp", "lmtp", "local", "virtual", "pipe", "error", "discard", "retry" -> delivery(line, pos, h,
                    queueId, out);
            default -> counters.skip("postfix/" + daemon);
        }
    }

    private void smtpd(String line, int pos, SyslogHeader h, String queueId, List<LogEvent> out) {
        if (queueId != null && line.startsWith("client=", pos)) {
            ClientAddress c = ClientAddress.parsePostfix(line, pos + 7);
            if (c == null) {
                counters.skip("postfix/smtpd: client= unclear");
                return;
            }
            out.add(new LogEvent.Client(h.host, h.time, queueId, c.name(), c.ip()));
            return;
        }
        char first = pos < line.length() ? line.charAt(pos) : ' ';
        // Dispatch on the first letter: most lines are connect, client= and disconnect.
        if (first == 'c' && line.startsWith("connect from ", pos)) {
            ClientAddress c = ClientAddress.parsePostfix(line, pos + 13);
            if (c == null) {
                counters.skip("postfix/smtpd: connect unclear");
                return;
            }
            out.add(new LogEvent.Connect(h.host, h.time, c.name(), c.ip()));
        } else if (first == 'd' && line.startsWith("disconnect from ", pos)) {
            seen(line, pos + 16, h, "disconnect", out);
        } else if (first == 'r' && line.startsWith("reject: ", pos) || first == 'm' && line.startsWith("milter-reject: ",
                pos)) {
            reject(line, line.indexOf(' ', pos) + 1, h.host, h.time, queueId, out);
        } else if (line.startsWith("lost connection after ", pos) || line.startsWith("too many errors after ", pos)
                || line.startsWith("improper command pipelining after ", pos)
                || line.startsWith("timeout after ", pos)) {
            int from = line.indexOf(" from ", pos);
            if (from < 0) {
                counters.skip("postfix/smtpd: " + firstWord(line, pos));
                return;
            }
            seen(line, from + 6, h, line.substring(pos, from), out);
        } else if (line.startsWith("warning: ", pos)) {
            warning(line, pos + 9, h, out);
        } else if (line.startsWith("discard: ", pos) || line.startsWith("filter: ", pos)
                || line.startsWith("reject_warning: ", pos) || line.startsWith("hold: ", pos)) {
            // Not a refusal: the message went on (or was dropped silently); still contact.
            int from = line.indexOf(" from ", pos);
            if (from < 0) {
                counters.skip("postfix/smtpd: " + firstWord(line, pos));
                return;
            }
            seen(line, from + 6, h, line.substring(pos, line.indexOf(':', pos)), out);
        } else if (line.startsWith("SSL_accept error from ", pos)) {
            seen(line, pos + 22, h, "TLS error", out);
        } else if (line.startsWith("bare <LF> received after ", pos)) {
            int from = line.indexOf(" from ", pos + 25);
            if (from < 0) {
                counters.skip("postfix/smtpd: bare LF");
                return;
            }
            seen(line, from + 6, h, "bare LF", out);
        } else if (line.startsWith("TLS connection established from ", line.indexOf(' ', pos) + 1)) {
            seen(line, line.indexOf(" from ", pos) + 6, h, "TLS", out);
        } else {
            counters.skip("postfix/smtpd: " + firstWord(line, pos));
        }
    }

    private void warning(String line, int pos, SyslogHeader h, List<LogEvent> out) {
        int close = line.indexOf("]: SASL ", pos);
        if (close < 0) {
            close = line.indexOf("]:", pos);
            if (close < 0 || line.indexOf(": SASL ", close) < 0) {
                close = -1;
            }
        }
        if (close > 0) {
            seen(line, pos, h, "SASL failed", out);
            return;
        }
        if (line.startsWith("hostname ", pos)) {
            int resolve = line.indexOf(" does not resolve to address ", pos);
            if (resolve > 0) {
                int ipStart = resolve + 29;
                int ipEnd = line.indexOf(':', ipStart);
                ClientAddress c = ClientAddress.parsePostfix("[" + line.substring(ipStart, ipEnd < 0 ? line.length()
                        : ipEnd) + "]", 0);
                if (c != null) {
                    out.add(new LogEvent.Seen(h.host, h.time, null, c.ip(), "name does not resolve"));
                    return;
                }
            }
        }
        if (line.startsWith("non-SMTP command from ", pos)) {
            seen(line, pos + 22, h, "non-SMTP command", out);
            return;
        }
        int from = line.indexOf(" from ", pos);
        if (from > 0 && line.indexOf("limit exceeded", pos) > 0) {
            seen(line, from + 6, h, "rate limit", out);
            return;
        }
        counters.skip("postfix/smtpd: warning");
    }

    /**
     * {@code STAGE from name[ip]: CODE DSN TEXT; from=<S> to=<R> proto=P helo=<H>}. Reads nothing
     * before {@code pos}, so {@link BlockParser} passes just the message part of a line.
     */
    void reject(String line, int pos, String host, long time, String queueId, List<LogEvent> out) {
        int from = line.indexOf(" from ", pos);
        if (from < 0 || from - pos > 12) {
            counters.skip("postfix: reject without client");
            return;
        }
        String stage = line.substring(pos, from);
        ClientAddress c = ClientAddress.parsePostfix(line, from + 6);
        if (c == null) {
            counters.skip("postfix: reject with unclear client");
            return;
        }
        int p = ClientAddress.postfixEnd(line, from + 6);
        if (p < line.length() && line.charAt(p) == ':' && p + 1 < line.length() && line.charAt(p + 1) != ' ') {
            int next = line.indexOf(':', p + 1);
            p = next < 0 ? line.length() : next;
        }
        p = Math.min(line.length(), p + 2);
        String code = line.length() >= p + 3 ? line.substring(p, p + 3) : "";
        int tail = line.indexOf("; from=<", p);
        int textStart = Math.min(line.length(), p + 4);
        // RFC 3463 enhanced status code after the reply code, when there is one ("5.7.1 ").
        int space = line.indexOf(' ', textStart);
        if (space > textStart && space - textStart <= 11 && Character.isDigit(line.charAt(textStart))
                && line.charAt(textStart + 1) == '.') {
            textStart = space + 1;
        }
        String reason = line.substring(textStart, Math.max(textStart, tail < 0 ? line.length() : tail));
        String sender = null;
        String recipient = null;
        if (tail > 0) {
            int senderEnd = addressEnd(line, tail + 8);
            sender = line.substring(tail + 8, senderEnd);
            int to = line.indexOf("to=<", senderEnd);
            if (to > 0) {
                recipient = line.substring(to + 4, addressEnd(line, to + 4));
            }
        }
        out.add(new LogEvent.Reject(host, time, queueId, c.name(), c.ip(), stage, code, ruleName(reason),
                sender, recipient));
    }

    /**
     * The {@code helo=<H>} that ends a Postfix reject line, or null. Postfix writes it last, after
     * {@code proto=}; the sender and recipient before it may hold spaces and any text, a HELO
     * argument holds no space (smtpd takes exactly one word), so the last {@code " proto="} is
     * Postfix's own.
     */
    static String helo(String line) {
        int proto = line.lastIndexOf(" proto=");
        if (proto < 0 || !line.endsWith(">")) {
            return null;
        }
        int space = line.indexOf(' ', proto + 7);
        if (space < 0 || !line.startsWith("helo=<", space + 1)) {
            return null;
        }
        String helo = line.substring(space + 7, line.length() - 1);
        return helo.isEmpty() ? null : helo;
    }

    /** End of an address written as {@code <...>} followed by a space, comma or the line's end. */
    private static int addressEnd(String line, int start) {
        int i = start;
        while (true) {
            int gt = line.indexOf('>', i);
            if (gt < 0) {
                return line.length();
            }
            if (gt + 1 == line.length() || line.charAt(gt + 1) == ' ' || line.charAt(gt + 1) == ',') {
                return gt;
            }
            i = gt + 1;
        }
    }

    /** The rule behind a reject: the reply text without the addresses and hosts that vary. */
    static String ruleName(String reason) {
        String r = reason;
        if (r.startsWith("<")) {
            int close = r.indexOf(">: ");
            if (close > 0) {
                r = r.substring(close + 3);
            }
        } else if (r.startsWith(": ")) {
            r = r.substring(2);
        }
        int blocked = r.indexOf("blocked using ");
        if (blocked >= 0) {
            int end = r.indexOf(';', blocked);
            return r.substring(blocked, end < 0 ? r.length() : end);
        }
        int cut = r.indexOf(", [");
        if (cut > 0) {
            r = r.substring(0, cut);
        }
        return r.length() > 80 ? r.substring(0, 80) : r;
    }

    private void postscreen(String line, int pos, SyslogHeader h, List<LogEvent> out) {
        if (line.startsWith("reject: ", pos)) {
            reject(line, pos + 8, h.host, h.time, null, out);
            return;
        }
        int open = line.indexOf('[', pos);
        if (open < 0 || line.indexOf(' ', pos) < 0) {
            counters.skip("postfix/postscreen: " + firstWord(line, pos));
            return;
        }
        ClientAddress c = ClientAddress.parsePostfix(line, open);
        if (c == null) {
            counters.skip("postfix/postscreen: unclear client");
            return;
        }
        if (line.startsWith("CONNECT from ", pos)) {
            out.add(new LogEvent.Connect(h.host, h.time, null, c.ip()));
        } else {
            out.add(new LogEvent.Seen(h.host, h.time, null, c.ip(), "postscreen " + firstWord(line, pos)));
        }
    }

    private void qmgr(String line, int pos, SyslogHeader h, String queueId, List<LogEvent> out) {
        if (queueId == null) {
            counters.skip("postfix/qmgr: " + firstWord(line, pos));
            return;
        }
        if (line.startsWith("from=<", pos)) {
            int end = line.lastIndexOf(">, size=");
            if (end < pos) {
                end = addressEnd(line, pos + 6);
            }
            String sender = line.substring(pos + 6, end);
            long size = numberAfter(line, ", size=", end);
            long nrcpt = numberAfter(line, ", nrcpt=", end);
            out.add(new LogEvent.From(h.host, h.time, queueId, sender, size, (int) nrcpt, null, null, null, null));
        } else if (line.startsWith("removed", pos)) {
            out.add(new LogEvent.Removed(h.host, h.time, queueId));
        } else if (line.startsWith("to=<", pos)) {
            delivery(line, pos, h, queueId, out);
        } else {
            counters.skip("postfix/qmgr: " + firstWord(line, pos));
        }
    }

    private void cleanup(String line, int pos, SyslogHeader h, String queueId, List<LogEvent> out) {
        if (queueId != null && (line.startsWith("reject: ", pos) || line.startsWith("milter-reject: ", pos))) {
            // The client is joined from the queue id: the header text here is the sender's own.
            String what = line.substring(line.indexOf(' ', pos) + 1);
            int colon = what.indexOf(':');
            out.add(new LogEvent.Reject(h.host, h.time, queueId, null, null, "cleanup", "",
                    colon > 0 ? what.substring(0, colon) : "content", null, null));
        } else if (line.startsWith("message-id=", pos)) {
            counters.skip("postfix/cleanup: message-id");
        } else {
            counters.skip("postfix/cleanup: " + firstWord(line, pos));
        }
    }

    private void delivery(String line, int pos, SyslogHeader h, String queueId, List<LogEvent> out) {
        if (queueId == null || !line.startsWith("to=<", pos)) {
            counters.skip("postfix/" + h.program.substring(h.program.lastIndexOf('/') + 1) + ": "
                    + firstWord(line, pos));
            return;
        }
        int rcptEnd = line.indexOf(">, ", pos + 4);
        if (rcptEnd < 0) {
            counters.skip("postfix: to= unclear");
            return;
        }
        String recipient = line.substring(pos + 4, rcptEnd);
        String relay = fieldValue(line, ", relay=", rcptEnd);
        String dsn = fieldValue(line, ", dsn=", rcptEnd);
        int st = line.indexOf(", status=", rcptEnd);
        LogEvent.Status status = LogEvent.Status.OTHER;
        String word = null;
        if (st > 0) {
            int wordEnd = line.indexOf(' ', st + 9);
            word = line.substring(st + 9, wordEnd < 0 ? line.length() : wordEnd);
            status = LogEvent.Status.parse(word);
        }
        out.add(new LogEvent.To(h.host, h.time, queueId, recipient, 1, relay, dsn, status, word, null));
    }

    private static String fieldValue(String line, String key, int from) {
        int at = line.indexOf(key, from);
        if (at < 0) {
            return null;
        }
        int start = at + key.length();
        int end = line.indexOf(", ", start);
        return line.substring(start, end < 0 ? line.length() : end);
    }

    private static long numberAfter(String line, String key, int from) {
        int at = line.indexOf(key, from);
        if (at < 0) {
            return -1;
        }
        long n = 0;
        int i = at + key.length();
        int start = i;
        while (i < line.length() && Character.isDigit(line.charAt(i)) && i - start < 18) {
            n = n * 10 + line.charAt(i++) - '0';
        }
        return i == start ? -1 : n;
    }

    private void seen(String line, int at, SyslogHeader h, String what, List<LogEvent> out) {
        ClientAddress c = ClientAddress.parsePostfix(line, at);
        if (c == null) {
            counters.skip("postfix: " + what + " unclear");
            return;
        }
        out.add(new LogEvent.Seen(h.host, h.time, c.name(), c.ip(), what));
    }

    private static String firstWord(String line, int pos) {
        int end = pos;
        while (end < line.length() && end - pos < 24) {
            char c = line.charAt(end);
            if (c == ' ' || c == ':' || c == '=' || c == '[' || c == ',') {
                break;
            }
            end++;
        }
        return end == pos ? "other" : line.substring(pos, end);
    }
}
