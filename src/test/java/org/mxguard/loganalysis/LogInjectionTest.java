package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients choose their HELO name, sender, recipients and message id, and all of them reach the
 * log. None of it may move the evidence to another client: the client comes only from the place
 * each format writes it.
 */
class LogInjectionTest {

    @Test
    void sendmailMessageIdWithRelayFieldDoesNotMoveTheClient() {
        String line = "Nov  3 11:35:30 mx2 sendmail[1]: rA37ZTSC026254: from=<>, size=10, class=0, nrcpts=1, "
                + "msgid=<x, relay=victim.example [192.0.2.99]>, proto=SMTP, daemon=MTA, "
                + "relay=usr1-dialup2.isp.example [198.51.100.7]";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.7");
    }

    @Test
    void sendmailSenderWithRelayFieldDoesNotMoveTheClient() {
        String line = "Nov  3 11:35:30 mx2 sendmail[1]: rA37ZTSC026254: from=<\"a, relay=[192.0.2.99]\"@x.example>, "
                + "size=10, class=0, nrcpts=1, msgid=<1@x>, proto=ESMTP, daemon=MTA, relay=[198.51.100.7]";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.7");
    }

    @Test
    void sendmailRejectWithRelayInTheRecipientKeepsTheRealClient() {
        String line = "Feb 24 07:33:59 mx2 sm-mta[2]: s1O7XtZJ021134: ruleset=check_rcpt, "
                + "arg1=<\"x, relay=victim.example [192.0.2.99], reject=550\"@y.example>, "
                + "relay=dyn-1.isp.example [198.51.100.8], reject=550 5.7.1 <\"x, relay=victim.example [192.0.2.99], "
                + "reject=550\"@y.example>... Relaying denied";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.8");
    }

    @Test
    void sendmailRejectWhoseRelayIsUnclearIsSkippedNotMisread() {
        String line = "Feb 24 07:33:59 mx2 sm-mta[2]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<a@b>, "
                + "relay=evil name [192.0.2.99] extra, reject=550 5.7.1 denied";
        assertThat(Fail2banCorpusTest.clientsOf(line)).isEmpty();
    }

    @Test
    void postfixRejectWithForgedClientInHeloAndRecipient() {
        String line = "Jul 12 07:47:48 mx2 postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
                + "1-2-3-4.dyn.example[198.51.100.9]: 554 5.7.1 <a@victim.example[192.0.2.99]>: Relay access denied; "
                + "from=<> to=<a@victim.example[192.0.2.99]> proto=SMTP helo=<client=victim.example[192.0.2.99]>";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.9");
    }

    @Test
    void postfixClientLineTakesOnlyTheFieldRightAfterClient() {
        String line = "Nov  3 11:35:30 mx2 postfix/smtpd[1]: 2BD192839B: client=unknown[198.51.100.10], "
                + "sasl_username=client=victim.example[192.0.2.99]";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.10");
    }

    /**
     * A client controls its reverse DNS: a forward-confirmed PTR with a bracketed address in it must
     * not pass that address off as the client. Postfix writes the client's address in the last
     * bracket pair of the field, just before "]:" or at the end.
     */
    @Test
    void aReverseNameWithBracketsDoesNotMoveTheClient() {
        String name = "adsl-203-0-113-9.dynamic.isp.example[198.51.100.25].evil.example";
        List<String> lines = List.of(
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from " + name + "[203.0.113.9]",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: 2BD192839B: client=" + name + "[203.0.113.9]",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: NOQUEUE: reject: RCPT from " + name + "[203.0.113.9]: "
                        + "554 5.7.1 <a@victim.example>: Relay access denied; from=<> to=<a@victim.example> "
                        + "proto=SMTP helo=<x>",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: lost connection after RCPT from " + name + "[203.0.113.9]",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: disconnect from " + name + "[203.0.113.9] ehlo=1 commands=1");
        for (String line : lines) {
            assertThat(Fail2banCorpusTest.clientsOf(line)).as(line).containsExactly("203.0.113.9");
            List<LogEvent> events = new ArrayList<>();
            new LineParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).parse(line, events);
            assertThat(events).as(line).singleElement().satisfies(e -> assertThat(e.toString())
                    .contains("203.0.113.9").doesNotContain("198.51.100.25"));
        }
    }

    @Test
    void postfixSenderWithBracketsStaysTheSender() {
        java.util.List<LogEvent> events = new java.util.ArrayList<>();
        byte[] line = ("Nov  3 11:35:30 mx2 postfix/qmgr[1]: 2BD192839B: from=<a>, size=1, nrcpt=1 [192.0.2.99]@x>, "
                + "size=1156, nrcpt=1 (queue active)").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        new BlockParser(java.time.ZoneOffset.UTC, 2026, 12, new ParseCounters()).parse(line, line.length, new EventList(events));
        assertThat(events).singleElement().isInstanceOfSatisfying(LogEvent.From.class, f -> {
            assertThat(f.sender()).isEqualTo("a>, size=1, nrcpt=1 [192.0.2.99]@x");
            assertThat(f.size()).isEqualTo(1156);
            assertThat(f.clientIp()).isNull();
        });
    }

    @Test
    void aForgedLineInsideAMessageCannotStartANewLine() {
        // mxguard's MailLog replaces control characters, so a CR/LF in client text stays on one line,
        // and a syslog header in the middle of a line is only text.
        String line = "Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[1]: connect from unknown[198.51.100.11] "
                + "Nov  3 11:35:31 mx2 postfix/smtpd[2]: connect from unknown[192.0.2.99]";
        assertThat(Fail2banCorpusTest.clientsOf(line)).containsExactly("198.51.100.11");
    }
}
