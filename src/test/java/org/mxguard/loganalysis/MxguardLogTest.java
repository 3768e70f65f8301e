package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.RuleRef;
import org.mxguard.smtp.SessionEvent;
import org.mxguard.smtp.SmtpdLogWriter;

/** mxguard's own log (Postfix format, syslog name postfix-mxguard) is read like Postfix's. */
class MxguardLogTest {

    @Test
    void linesWrittenByMailLogAreUnderstood() {
        StringWriter sink = new StringWriter();
        MailLog log = new MailLog("mx2", "postfix-mxguard", Clock.fixed(Instant.parse("2026-11-03T11:35:30Z"),
                ZoneOffset.UTC), line -> sink.append(line).append('\n'));
        log.log("smtpd", "connect from usr1-dialup2.isp.example[198.51.100.7]");
        log.log("smtpd", "NOQUEUE: reject: RCPT from usr1-dialup2.isp.example[198.51.100.7]: 451 4.7.1 "
                + "<usr1-dialup2.isp.example[198.51.100.7]>: Client host rejected: Relaying Denied; from=<> "
                + "to=<a@protected.example> proto=ESMTP helo=<x\r\nNov  3 11:35:30 mx2 postfix/smtpd[1]: connect from "
                + "forged[192.0.2.99]>");
        List<LogEvent> events = new ArrayList<>();
        LineParser parser = new LineParser(ZoneOffset.UTC, 2026, 12, new ParseCounters());
        sink.toString().lines().forEach(l -> parser.parse(l, events));
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOfSatisfying(LogEvent.Connect.class,
                c -> assertThat(c.clientIp()).isEqualTo("198.51.100.7"));
        assertThat(events.get(1)).isInstanceOfSatisfying(LogEvent.Reject.class, r -> {
            assertThat(r.clientIp()).isEqualTo("198.51.100.7");
            assertThat(r.sender()).isEmpty();
            assertThat(r.reason()).isEqualTo("Client host rejected: Relaying Denied");
            assertThat(r.code()).isEqualTo("451");
        });
    }

    @Test
    void theRuleLineAfterARejectIsNeitherARefusalNorAContact() throws Exception {
        StringWriter sink = new StringWriter();
        Instant now = Instant.parse("2026-11-03T11:35:30Z");
        MailLog log = new MailLog("mx2", "postfix-mxguard", Clock.fixed(now, ZoneOffset.UTC),
                line -> sink.append(line).append('\n'));
        new SmtpdLogWriter(log).onEvent(new SessionEvent.Rejected(now, new ClientInfo(
                InetAddress.getByName("198.51.100.7"), 40123, "usr1-dialup2.isp.example", "pc7", "ESMTP", null),
                "RCPT", Reply.of(451, "4.7.1", "<usr1-dialup2.isp.example[198.51.100.7]>: Client host rejected: "
                        + "Relaying Denied"), "", "a@protected.example", false,
                new RuleRef("/etc/mxguard/access.rules", 12)));
        assertThat(sink.toString()).contains("NOQUEUE: rule: RCPT from usr1-dialup2.isp.example[198.51.100.7]: "
                + "/etc/mxguard/access.rules:12; from=<> to=<a@protected.example>");
        List<LogEvent> events = new ArrayList<>();
        ParseCounters counters = new ParseCounters();
        LineParser parser = new LineParser(ZoneOffset.UTC, 2026, 12, counters);
        sink.toString().lines().forEach(l -> parser.parse(l, events));
        assertThat(events).singleElement().isInstanceOfSatisfying(LogEvent.Reject.class,
                r -> assertThat(r.reason()).isEqualTo("Client host rejected: Relaying Denied"));
        assertThat(counters.skippedTotal()).isEqualTo(1);
    }
}
