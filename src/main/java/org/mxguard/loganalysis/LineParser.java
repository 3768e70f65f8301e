package org.mxguard.loganalysis;

import java.time.ZoneId;
import java.util.List;

/**
 * Turns one syslog line into zero or more {@link LogEvent}s, choosing the parser by program name:
 * {@code sendmail} and {@code sm-*} for sendmail, {@code postfix*} (including mxguard's
 * {@code postfix-mxguard}) for Postfix. Everything else is counted by kind and skipped.
 * One instance per thread.
 */
final class LineParser {

    private final SyslogHeader header;
    private final ParseCounters counters;
    private final SendmailParser sendmail;
    private final PostfixParser postfix;

    LineParser(ZoneId zone, int referenceYear, int referenceMonth, ParseCounters counters) {
        this.header = new SyslogHeader(zone, referenceYear, referenceMonth);
        this.counters = counters;
        this.sendmail = new SendmailParser(counters);
        this.postfix = new PostfixParser(counters);
    }

    void parse(String line, List<LogEvent> out) {
        counters.lines++;
        if (line.isEmpty()) {
            counters.skip("empty line");
            return;
        }
        if (!header.parse(line)) {
            counters.skip(line.startsWith("#") ? "comment" : "no syslog header");
            return;
        }
        int before = out.size();
        String program = header.program;
        if (program.startsWith("postfix")) {
            postfix.parse(line, header, out);
        } else if (program.equals("sendmail") || program.startsWith("sm-")) {
            sendmail.parse(line, header, out);
        } else {
            counters.skip("program " + (program.length() > 20 ? program.substring(0, 20) : program));
        }
        if (out.size() > before) {
            counters.parsed++;
        }
    }

    /** The program name of the last line whose header parsed ({@code postfix/smtpd}). */
    String program() {
        return header.program;
    }

    /** For tests and tools that read only the message part (the grok test vectors). */
    void parseMessage(String program, String message, List<LogEvent> out) {
        parse("Jan  1 00:00:00 test " + program + "[1]: " + message, out);
    }
}
