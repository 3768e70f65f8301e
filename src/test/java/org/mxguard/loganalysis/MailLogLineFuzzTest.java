package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The sendmail and Postfix line parsers meet any message text after a real syslog header (the
 * first input byte picks the program) with events or a skip, never an exception; a client they
 * report (one with an address) is only ever an address and a host name, so hostile text in a log (a forged HELO, a
 * reverse DNS name with brackets or spaces) cannot pass for a client. Without JAZZER_FUZZ=1 this
 * replays the seed corpus only (quick); with it, it fuzzes.
 */
class MailLogLineFuzzTest {

    private static final String[] PROGRAMS = {
        "sendmail[26254]: ", "sm-mta[21134]: ", "postfix/smtpd[22574]: ", "postfix/qmgr[15878]: ",
        "postfix/smtp[16667]: ", "postfix/cleanup[9212]: ", "postfix/postscreen[1148]: ", "postfix-mxguard/smtpd[1]: ",
    };

    @FuzzTest(maxDuration = "30s")
    void linesGiveEventsOrSkipsAndOnlyRealClients(byte[] input) {
        if (input.length == 0) {
            return;
        }
        String program = PROGRAMS[(input[0] & 0xff) % PROGRAMS.length];
        String message = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        ParseCounters counters = new ParseCounters();
        List<LogEvent> events = new ArrayList<>();
        LineParser parser = new LineParser(ZoneOffset.UTC, 2026, 12, counters);
        for (String line : message.split("\n", -1)) {
            parser.parse("Nov  3 11:35:30 mx2 " + program + line, events);
        }
        assertThat(counters.lines).isEqualTo(message.split("\n", -1).length);
        for (LogEvent event : events) {
            assertThat(event.host()).isEqualTo("mx2");
            if (event.clientIp() != null) {
                assertThat(event.clientIp()).matches("[0-9A-Fa-f:.]+");
            }
            // Without an address the event has no network client (sendmail's relay= of a local
            // submission, kept as written); with one, the name must be a host name.
            String name = clientName(event);
            if (name != null && event.clientIp() != null) {
                assertThat(name).doesNotContain(" ", "[", "]", "\r", "\t", "\0");
            }
        }
    }

    private static String clientName(LogEvent event) {
        return switch (event) {
            case LogEvent.Connect c -> c.clientName();
            case LogEvent.Seen s -> s.clientName();
            case LogEvent.Client c -> c.clientName();
            case LogEvent.From f -> f.clientName();
            case LogEvent.Reject r -> r.clientName();
            default -> null;
        };
    }
}
