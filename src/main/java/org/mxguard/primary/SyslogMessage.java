package org.mxguard.primary;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One syslog message received over the network, reduced to what a mail log line needs: the
 * facility, and the line as the primary's own syslog daemon would have written it to a file
 * ({@code TIMESTAMP HOST PROGRAM[PID]: MESSAGE}), which the mail log parsers read.
 *
 * @param facility the RFC 5424 §6.2.1 facility number (2 is mail)
 * @param severity 0 (emergency) to 7 (debug)
 * @param line the message as a log file line
 */
record SyslogMessage(int facility, int severity, String line) {

    /** RFC 5424 §6.2.1 (and RFC 3164 §4.1.1): facility 2 is the mail system. */
    static final int MAIL = 2;

    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

    boolean isMail() {
        return facility == MAIL;
    }

    /**
     * Parses an RFC 5424 or RFC 3164 message (told apart by the version digit after the PRI).
     *
     * @param text the message, without framing
     * @param peer the sender's address, the host name when the message gives none
     * @param received when it arrived, the time when the message gives none
     * @throws IllegalArgumentException when it is no syslog message
     */
    static SyslogMessage parse(String message, String peer, Instant received) {
        // rsyslog's forwarding templates end with LF even inside an octet-counted frame.
        int end = message.length();
        while (end > 0 && (message.charAt(end - 1) == '\n' || message.charAt(end - 1) == '\r'
                || message.charAt(end - 1) == 0)) {
            end--;
        }
        String text = message.substring(0, end);
        // RFC 5424 §6.2 / RFC 3164 §4.1.1: "<" PRIVAL ">", PRIVAL of 1 to 3 digits, at most 191.
        if (text.isEmpty() || text.charAt(0) != '<') {
            throw new IllegalArgumentException("no <PRI> at the start");
        }
        int close = text.indexOf('>');
        if (close < 2 || close > 4) {
            throw new IllegalArgumentException("bad <PRI>");
        }
        int pri = 0;
        for (int i = 1; i < close; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("bad <PRI>");
            }
            pri = pri * 10 + c - '0';
        }
        if (pri > 191 || close > 2 && text.charAt(1) == '0') {
            throw new IllegalArgumentException("bad <PRI>");
        }
        int facility = pri / 8;
        int severity = pri % 8;
        String rest = text.substring(close + 1);
        // RFC 5424 §6.2.2: VERSION is "1" followed by a space; an RFC 3164 TIMESTAMP starts with a letter.
        if (rest.startsWith("1 ")) {
            return new SyslogMessage(facility, severity, rfc5424(rest.substring(2), peer, received));
        }
        return new SyslogMessage(facility, severity, rfc3164(rest, peer, received));
    }

    /**
     * RFC 3164 §4.1.2: {@code Mmm dd hh:mm:ss HOSTNAME TAG: MSG}, as a log file holds it already.
     * RFC 3164 §4.3.2: a message without a valid TIMESTAMP gets the time of arrival and the sender's
     * address in front.
     */
    private static String rfc3164(String rest, String peer, Instant received) {
        if (rest.length() > 16 && rest.charAt(3) == ' ' && rest.charAt(6) == ' ' && rest.charAt(9) == ':'
                && rest.charAt(12) == ':' && rest.charAt(15) == ' ') {
            return rest;
        }
        return stamp(received) + " " + peer + " " + rest;
    }

    /**
     * RFC 5424 §6: {@code TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]},
     * each header field "-" when absent (NILVALUE).
     */
    private static String rfc5424(String rest, String peer, Instant received) {
        Fields f = new Fields(rest);
        String timestamp = f.next();
        String host = f.next();
        String app = f.next();
        String procid = f.next();
        f.next();
        f.skipStructuredData();
        String msg = f.remainder();
        // RFC 5424 §6.4: a UTF-8 MSG may begin with a byte order mark.
        if (msg.startsWith("\uFEFF")) {
            msg = msg.substring(1);
        }
        StringBuilder line = new StringBuilder(msg.length() + 80);
        line.append(timestamp.equals("-") ? stamp(received) : timestamp).append(' ');
        line.append(host.equals("-") ? peer : host).append(' ');
        line.append(app);
        if (!procid.equals("-")) {
            line.append('[').append(procid).append(']');
        }
        // A relay that got the message as RFC 3164 keeps the space after the tag's colon in MSG.
        return line.append(msg.startsWith(" ") ? ":" : ": ").append(msg).toString();
    }

    private static String stamp(Instant at) {
        return RFC3339.format(at.atOffset(ZoneOffset.UTC));
    }

    /** The space-separated header fields of an RFC 5424 message, read left to right. */
    private static final class Fields {
        private final String s;
        private int pos;

        Fields(String s) {
            this.s = s;
        }

        String next() {
            int end = s.indexOf(' ', pos);
            if (end <= pos) {
                throw new IllegalArgumentException("RFC 5424 header field missing");
            }
            String field = s.substring(pos, end);
            pos = end + 1;
            return field;
        }

        /** RFC 5424 §6.3: "-" or SD-ELEMENTs {@code [id name="value" ...]}, with \" \\ \] escaped in values. */
        void skipStructuredData() {
            if (s.startsWith("-", pos)) {
                pos++;
            } else {
                if (pos >= s.length() || s.charAt(pos) != '[') {
                    throw new IllegalArgumentException("RFC 5424 structured data missing");
                }
                while (pos < s.length() && s.charAt(pos) == '[') {
                    pos = elementEnd(pos + 1);
                }
            }
            if (pos < s.length()) {
                if (s.charAt(pos) != ' ') {
                    throw new IllegalArgumentException("RFC 5424 structured data not followed by a space");
                }
                pos++;
            }
        }

        private int elementEnd(int from) {
            boolean quoted = false;
            for (int i = from; i < s.length(); i++) {
                char c = s.charAt(i);
                if (quoted && c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = !quoted;
                } else if (c == ']' && !quoted) {
                    return i + 1;
                }
            }
            throw new IllegalArgumentException("RFC 5424 structured data not closed");
        }

        String remainder() {
            return pos >= s.length() ? "" : s.substring(pos);
        }
    }
}
