package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;
import org.mxguard.policy.RuleRef;

class SmtpdLogWriterTest {

    private static final Instant NOW = Instant.parse("2026-11-03T11:35:30Z");
    private final List<String> lines = new ArrayList<>();
    private final SmtpdLogWriter writer = new SmtpdLogWriter(
            new MailLog("mx2", "postfix-mxguard", Clock.fixed(NOW, ZoneOffset.UTC), lines::add));

    private static ClientInfo client(String helo, String protocol, String tls) throws Exception {
        return new ClientInfo(InetAddress.getByName("192.0.2.1"), 40123, "unknown", helo, protocol, tls);
    }

    private String logged(SessionEvent event) {
        lines.clear();
        writer.onEvent(event);
        return String.join("\n", lines).replaceAll("\\[\\d+\\]: ", "[PID]: ");
    }

    @Test
    void rejectWarningAndTlsSessionsLookLikePostfix() throws Exception {
        Reply reply = Reply.of(451, "4.7.1", "<unknown[192.0.2.1]>: Client host rejected: Relaying Denied");
        assertThat(logged(new SessionEvent.Rejected(NOW, client("dialup.example", "ESMTPS", "TLSv1.3 with cipher X"),
                "RCPT", reply, "", "user@example.org", true, new RuleRef("access.rules", 2))))
                .isEqualTo("Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[PID]: NOQUEUE: reject_warning: RCPT from "
                        + "unknown[192.0.2.1]: 451 4.7.1 <unknown[192.0.2.1]>: Client host rejected: Relaying Denied; "
                        + "from=<> to=<user@example.org> proto=ESMTP helo=<dialup.example>\n"
                        + "Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[PID]: NOQUEUE: rule: RCPT from unknown[192.0.2.1]: "
                        + "access.rules:2; from=<> to=<user@example.org>");
    }

    @Test
    void aRefusalByARuleIsFollowedByTheRulesFileAndLine() throws Exception {
        Reply reply = Reply.of(451, "4.7.1", "<unknown[192.0.2.1]>: Client host rejected: Relaying Denied");
        assertThat(logged(new SessionEvent.Rejected(NOW, client("pc7", "ESMTP", null), "RCPT", reply, "",
                "user@example.org", false, new RuleRef("/etc/mxguard/access.rules", 12))))
                .endsWith("reject: RCPT from unknown[192.0.2.1]: 451 4.7.1 <unknown[192.0.2.1]>: Client host rejected: "
                        + "Relaying Denied; from=<> to=<user@example.org> proto=ESMTP helo=<pc7>\n"
                        + "Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[PID]: NOQUEUE: rule: RCPT from unknown[192.0.2.1]: "
                        + "/etc/mxguard/access.rules:12; from=<> to=<user@example.org>");
        assertThat(logged(new SessionEvent.Rejected(NOW, client(null, "SMTP", null), "CONNECT",
                Reply.of(554, "5.7.1", "Access denied"), null, null, false, new RuleRef("access.rules", 3))))
                .endsWith("smtpd[PID]: NOQUEUE: rule: CONNECT from unknown[192.0.2.1]: access.rules:3");
    }

    @Test
    void refusalsByRelayControlOrALimitHaveNoRuleLine() throws Exception {
        assertThat(logged(new SessionEvent.Rejected(NOW, client("h", "ESMTP", null), "RCPT",
                Reply.of(554, "5.7.1", "<a@elsewhere.example>: Relay access denied"), "a@example.org",
                "a@elsewhere.example", false, null))).doesNotContain("rule:").doesNotContain("\n");
    }

    @Test
    void connectStageRejectsHaveNoEnvelope() throws Exception {
        assertThat(logged(new SessionEvent.Refused(NOW, client(null, "SMTP", null),
                Reply.of(421, "4.7.0", "mx2 Error: too many connections from 192.0.2.1"), "too many connections")))
                .endsWith("smtpd[PID]: NOQUEUE: reject: CONNECT from unknown[192.0.2.1]: 421 4.7.0 mx2 Error: "
                        + "too many connections from 192.0.2.1; proto=SMTP");
    }

    @Test
    void queuedMessageIsThreeLinesFromThreePrograms() throws Exception {
        assertThat(logged(new SessionEvent.Queued(NOW, client("h", "ESMTP", null), new QueueId("0123456789AB"),
                MailAddress.NULL_SENDER, List.of(MailAddress.of("a", "example.org")), 1156, null)))
                .isEqualTo("Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[PID]: 0123456789AB: client=unknown[192.0.2.1]\n"
                        + "Nov  3 11:35:30 mx2 postfix-mxguard/qmgr[PID]: 0123456789AB: from=<>, size=1156, nrcpt=1 "
                        + "(queue active)");
    }

    @Test
    void pregreetLineIsPostscreens() throws Exception {
        assertThat(logged(new SessionEvent.Pregreet(NOW, client(null, "SMTP", null), 11, Duration.ofMillis(1234),
                "EHLO x\\r\\n"))).endsWith("smtpd[PID]: PREGREET 11 after 1.23 from [192.0.2.1]:40123: EHLO x\\r\\n");
    }

    @Test
    void droppedAndDisconnected() throws Exception {
        assertThat(logged(new SessionEvent.Dropped(NOW, client(null, "SMTP", null), "CONNECT",
                SessionEvent.DropReason.LOST_CONNECTION))).endsWith("lost connection after CONNECT from unknown[192.0.2.1]");
        assertThat(logged(new SessionEvent.Disconnected(NOW, client(null, "SMTP", null), List.of(
                new CommandCount("ehlo", 1, 1), new CommandCount("rcpt", 0, 2), new CommandCount("commands", 1, 3)))))
                .endsWith("disconnect from unknown[192.0.2.1] ehlo=1 rcpt=0/2 commands=1/3");
    }
}
