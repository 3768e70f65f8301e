package org.mxguard.loganalysis;

import java.util.List;

/**
 * Reads the message part of sendmail 8.x lines (8.7's 8-character queue ids to 8.18's 14 and
 * more). The client of a {@code from=} line is its {@code relay=} field, which sendmail writes
 * last: the last {@code ", relay="} of the line is the real one, whatever a sender or message id
 * before it contains. On reject lines the fields are split by {@link SendmailFields}, which keeps
 * the client's own {@code arg1=} address whole.
 *
 * <p>{@link BlockParser} reads the commonest of these lines from their bytes, mirroring this class
 * (its {@code sendmailFrom}, {@code sendmailTo}, {@code sendmailReject}, {@code sendmailSeen},
 * {@code sendmailOther} and {@code skipKind}): a change here is made there too; {@code BlockParserTest}
 * compares the two.
 */
final class SendmailParser {

    private final ParseCounters counters;
    // The kinds of the last skipped lines, and their counters' keys (see skipKey).
    private static final int KINDS_KEPT = 8;
    private final String[] lastKinds = new String[KINDS_KEPT];
    private final String[] lastKeys = new String[KINDS_KEPT];
    private int nextKind;

    SendmailParser(ParseCounters counters) {
        this.counters = counters;
    }

    void parse(String line, SyslogHeader h, List<LogEvent> out) {
        parse(line, h.messageStart, h.host, h.time, out);
    }

    /**
     * The message part of {@code line} from {@code pos}, of a line logged by {@code host} at
     * {@code time}: the byte path hands on the sendmail lines it does not read itself so, without
     * the syslog header it has already read.
     */
    void parse(String line, int pos, String host, long time, List<LogEvent> out) {
        int len = line.length();
        String queueId = null;
        int colon = line.indexOf(": ", pos);
        if (colon > pos && isQueueId(line, pos, colon)) {
            queueId = line.substring(pos, colon);
            pos = colon + 2;
        }
        if (line.startsWith("from=", pos)) {
            from(line, pos, host, time, queueId, out);
        } else if (line.startsWith("to=", pos)) {
            to(line, pos, host, time, queueId, out);
        } else if (line.startsWith("ruleset=", pos)) {
            reject(line, pos, host, time, queueId, out);
        } else if (line.startsWith("done;", pos) && queueId != null) {
            // Before the searches below: a line that starts as a removal is one, whatever its text holds.
            out.add(new LogEvent.Removed(host, time, queueId));
        } else if (line.startsWith("lost input channel from ", pos)) {
            int toMta = line.lastIndexOf(" to ");
            seen(line, pos + 24, toMta, host, time, "lost input channel", out);
        } else if (line.indexOf(" did not issue MAIL/EXPN/VRFY/ETRN", pos) >= pos) {
            seen(line, pos, line.indexOf(" did not issue MAIL/EXPN/VRFY/ETRN", pos), host, time, "did not issue MAIL", out);
        } else if (line.startsWith("AUTH failure", pos)) {
            int relay = line.lastIndexOf(", relay=");
            if (relay < 0) {
                counters.skip("sendmail: AUTH failure without relay");
                return;
            }
            seen(line, relay + 8, len, host, time, "AUTH failure", out);
        } else if (line.startsWith("rejecting commands from ", pos)) {
            seen(line, pos + 24, line.indexOf(" due to ", pos), host, time, "pre-greeting traffic", out);
        } else if (queueId != null && line.indexOf(": possible SMTP attack", pos) >= pos) {
            seen(line, pos, line.indexOf(": possible SMTP attack", pos), host, time, "SMTP attack", out);
        } else if (queueId != null && line.length() - pos >= 11 && line.endsWith(" [rejected]")) {
            // " [rejected]" within the message: the space before "[rejected]" alone is the queue id's.
            seen(line, pos, line.indexOf("]: ", pos) + 1, host, time, "VRFY rejected", out);
        } else {
            counters.skip(skipKey(line, pos));
        }
    }

    private void from(String line, int pos, String host, long time, String queueId, List<LogEvent> out) {
        if (queueId == null) {
            counters.skip("sendmail: from= without queue id");
            return;
        }
        int relay = line.lastIndexOf(", relay=");
        int fieldsEnd = relay < pos ? line.length() : relay;
        SendmailFields f = SendmailFields.parse(line, pos, fieldsEnd);
        String clientName = null;
        String clientIp = null;
        if (relay > pos) {
            ClientAddress client = ClientAddress.parseSendmail(line, relay + 8, line.length());
            if (client != null) {
                clientName = client.name();
                clientIp = client.ip();
            } else {
                // user@localhost and similar: a local submission, no network client.
                clientName = line.substring(relay + 8);
            }
        }
        out.add(new LogEvent.From(host, time, queueId, address(f.get("from")), number(f.get("size")),
                (int) number(f.get("nrcpts")), f.get("msgid"), f.get("proto"), clientName, clientIp));
    }

    private void to(String line, int pos, String host, long time, String queueId, List<LogEvent> out) {
        if (queueId == null) {
            counters.skip("sendmail: to= without queue id");
            return;
        }
        SendmailFields f = SendmailFields.parse(line, pos, line.length());
        String stat = f.get("stat");
        LogEvent.Status status = stat == null ? LogEvent.Status.OTHER : LogEvent.Status.parse(stat);
        if (stat == null && f.containsKey("dsn")) {
            status = f.get("dsn").startsWith("2") ? LogEvent.Status.SENT : LogEvent.Status.OTHER;
        }
        out.add(new LogEvent.To(host, time, queueId, f.get("to"), f.recipients("to"), f.get("relay"), f.get("dsn"),
                status, stat, f.get("mailer")));
    }

    private void reject(String line, int pos, String host, long time, String queueId, List<LogEvent> out) {
        SendmailFields f = SendmailFields.parse(line, pos, line.length());
        String relay = f.get("relay");
        String reject = f.get("reject");
        ClientAddress client = relay == null ? null : ClientAddress.parseSendmail(relay, 0, relay.length());
        if (client == null || reject == null) {
            counters.skip("sendmail: ruleset line without a clear relay= and reject=");
            return;
        }
        String ruleset = f.get("ruleset");
        String code = reject.length() >= 3 ? reject.substring(0, 3) : reject;
        String arg1 = f.get("arg1");
        String sender = null;
        String recipient = null;
        if ("check_mail".equals(ruleset)) {
            sender = address(arg1);
        } else if ("check_rcpt".equals(ruleset)) {
            recipient = address(arg1);
        }
        out.add(new LogEvent.Reject(host, time, queueId, client.name(), client.ip(), ruleset, code,
                reason(reject), sender, recipient));
    }

    private void seen(String line, int from, int to, String host, long time, String what, List<LogEvent> out) {
        while (from < to && line.charAt(from) == ' ') {
            from++;
        }
        ClientAddress client = to > from ? ClientAddress.parseSendmail(line, from, to) : null;
        if (client == null) {
            counters.skip("sendmail: " + what + " without a clear client");
            return;
        }
        out.add(new LogEvent.Seen(host, time, client.name(), client.ip(), what));
    }

    /** The reply text after the code and enhanced status, as a rule name for the report. */
    static String reason(String reject) {
        int i = 0;
        int spaces = 0;
        while (i < reject.length() && spaces < 2) {
            char c = reject.charAt(i);
            if (c == ' ') {
                spaces++;
            } else if (!(c >= '0' && c <= '9' || c == '.')) {
                break;
            }
            i++;
        }
        String text = reject.substring(i);
        int dots = text.indexOf("... ");
        return dots >= 0 ? text.substring(dots + 4) : text;
    }

    /** Strips the angle brackets: {@code <>} is the null sender, returned as the empty string. */
    static String address(String value) {
        if (value == null) {
            return null;
        }
        if (value.length() >= 2 && value.charAt(0) == '<' && value.charAt(value.length() - 1) == '>') {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static long number(String value) {
        if (value == null) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9' || n > Long.MAX_VALUE / 10 - 10) {
                return -1;
            }
            n = n * 10 + c - '0';
        }
        return value.isEmpty() ? -1 : n;
    }

    static boolean isQueueId(String s, int from, int to) {
        if (to - from < 5 || to - from > 20) {
            return false;
        }
        boolean digit = false;
        boolean hex = true;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c >= 'A' && c <= 'F') {
                continue;
            } else if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
                hex = false;
            } else {
                return false;
            }
        }
        // Sendmail's and Postfix's long ids carry digits, Postfix's short ones are upper-case hex;
        // words such as "warning" or "NOQUEUE" are neither.
        return digit || hex;
    }

    /**
     * {@code "sendmail: " + kind(line, pos)}, reused when the kind is one of the last few: the lines
     * sendmail logs besides mail (daemon starts, connection notes) come by the thousand, in turns.
     */
    private String skipKey(String line, int pos) {
        int end = kindEnd(line, pos);
        int n = end - pos;
        for (int i = 0; i < KINDS_KEPT; i++) {
            String k = lastKinds[i];
            if (k != null && n == k.length() && line.regionMatches(pos, k, 0, n)) {
                return lastKeys[i];
            }
        }
        int i = nextKind++ & (KINDS_KEPT - 1);
        lastKinds[i] = line.substring(pos, end);
        lastKeys[i] = "sendmail: " + kind(line, pos);
        return lastKeys[i];
    }

    private static String kind(String line, int pos) {
        int end = kindEnd(line, pos);
        return end == pos ? "other" : line.substring(pos, end).trim();
    }

    private static int kindEnd(String line, int pos) {
        int end = pos;
        int words = 0;
        while (end < line.length() && words < 2) {
            char c = line.charAt(end);
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
        return end;
    }
}
