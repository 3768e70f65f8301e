package org.mxguard.loganalysis;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever a line holds, the parsers return events or skip it; they never throw. */
class LineParserPropertyTest {

    private static final List<String> REAL = List.of(
            "Nov  3 11:35:30 mx2 sendmail[1]: rA37ZTSC026254: from=<>, size=0, class=0, nrcpts=1, msgid=<a@b>, "
                    + "proto=ESMTP, daemon=MTA, relay=163.23.32.95.dsl-dynamic.vsi.ru [95.32.23.163] (may be forged)",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<x@y>, "
                    + "relay=118-161-66-57.dynamic.hinet.net [118.161.66.57], reject=550 5.7.1 <x@y>... Relaying denied",
            "Jul 12 07:47:48 saturn postfix/smtpd[8738]: NOQUEUE: reject: RCPT from 1-2-3-4.example.com[1.2.3.4]:25: "
                    + "554 5.7.1 <s@e.com>: Relay access denied; from=<j@e.com> to=<s@e.org> proto=SMTP helo=<h>",
            "2024-03-22T08:00:03.000+00:00 m postfix/smtp[1]: ABCDE12345: to=<r@x>, relay=mx[10.0.0.1]:25, delay=1.5, "
                    + "delays=0.1/0.2/0.3/0.9, dsn=2.0.0, status=sent (250 OK)",
            "Aug 18 00:01:38 a postfix/qmgr[20508]: 6B1B62259: from=<0@b.gov>, size=84778, nrcpt=7 (queue active)",
            "May  5 15:51:11 x postfix/postscreen[1148]: NOQUEUE: reject: RCPT from [216.245.194.173]:60591: 550 5.7.1 "
                    + "Service unavailable; client [216.245.194.173] blocked using rbl.example.com; from=<s@e.com>, "
                    + "to=<g@e.com>, proto=ESMTP, helo=<b.e.com>");

    @Provide
    Arbitrary<String> mangledLines() {
        return Arbitraries.of(REAL).flatMap(line -> Arbitraries.integers().between(0, line.length()).flatMap(
                cut -> Arbitraries.strings().ofMaxLength(12).withChars("[]<>,;:= \"'\\.-/0123456789aZ\r\t").map(
                        noise -> line.substring(0, cut) + noise + line.substring(Math.min(line.length(),
                                cut + noise.length() % 5)))));
    }

    @Property(tries = 2000)
    void mangledRealLinesNeverThrow(@ForAll("mangledLines") String line) {
        parse(line);
    }

    @Property(tries = 1000)
    void arbitraryTextNeverThrows(@ForAll String line) {
        parse(line);
        parse("Nov  3 11:35:30 mx2 postfix/smtpd[1]: " + line);
        parse("Nov  3 11:35:30 mx2 sm-mta[1]: rA37ZTSC026254: " + line);
    }

    private static void parse(String line) {
        new LineParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).parse(line, new ArrayList<>());
    }
}
