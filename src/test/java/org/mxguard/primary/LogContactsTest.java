package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.mxguard.delivery.MutableClock;
import org.mxguard.evidence.PrimaryContact;

class LogContactsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T06:00:00Z"), ZoneOffset.UTC);

    private final List<PrimaryContact> recorded = new CopyOnWriteArrayList<>();
    private final LogContacts contacts = new LogContacts(recorded::add, CLOCK, "postfix-mxguard");

    @Test
    void postfixConnectIsAContactAtThatPrimary() throws Exception {
        assertThat(contacts.line("Aug 18 00:01:38 acmemail1 postfix/smtpd[5748]: connect from "
                + "mail.example.org[192.0.2.55]")).isTrue();
        PrimaryContact c = recorded.getFirst();
        assertThat(c.client()).isEqualTo(InetAddress.getByName("192.0.2.55"));
        assertThat(c.clientName()).isEqualTo("mail.example.org");
        assertThat(c.primary()).isEqualTo("acmemail1");
        assertThat(c.at()).isEqualTo(Instant.parse("2026-08-18T00:01:38Z"));
        assertThat(c.source()).isEqualTo(PrimaryContact.Source.PRIMARY_LOG);
        assertThat(c.helo()).isNull();
        assertThat(c.nullSender()).isFalse();
    }

    @Test
    void postfixClientLineWithoutReverseNameIsUnknown() {
        contacts.line("Aug 18 00:01:38 acmemail1 postfix/smtpd[5819]: 7326D2B54: client=unknown[10.0.80.60]");
        assertThat(recorded).singleElement().satisfies(c -> {
            assertThat(c.client().getHostAddress()).isEqualTo("10.0.80.60");
            assertThat(c.clientName()).isEqualTo("unknown");
        });
    }

    @Test
    void postfixRejectGivesHeloAndSender() {
        contacts.line("Jul 12 07:47:48 saturn postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
                + "1-2-3-4-example.com[203.0.113.4]: 554 5.7.1 <smtp@example.com>: Relay access denied; "
                + "from=<john@example.com> to=<smtp@example.org> proto=SMTP helo=<198.51.100.17>");
        contacts.line("Jul 12 07:47:49 saturn postfix/smtpd[8738]: NOQUEUE: reject: RCPT from "
                + "dial-7.isp.example[203.0.113.7]: 450 4.7.1 <x@example.org>: Recipient address rejected: "
                + "Greylisted; from=<> to=<x@example.org> proto=ESMTP helo=<a b proto=X helo=<evil>");
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(0).helo()).isEqualTo("198.51.100.17");
        assertThat(recorded.get(0).nullSender()).isFalse();
        assertThat(recorded.get(0).client().getHostAddress()).isEqualTo("203.0.113.4");
        assertThat(recorded.get(1).nullSender()).isTrue();
        assertThat(recorded.get(1).clientName()).isEqualTo("dial-7.isp.example");
    }

    @Test
    void sendmailFromLineNamesItsRelayAndNullSender() {
        contacts.line("Nov  3 11:35:30 mx1 sendmail[26254]: rA37ZTSC026254: from=<>, size=0, class=0, nrcpts=1, "
                + "msgid=<x@y>, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, "
                + "relay=163.23.32.95.dsl-dynamic.vsi.example [198.51.100.163]");
        assertThat(recorded).singleElement().satisfies(c -> {
            assertThat(c.client().getHostAddress()).isEqualTo("198.51.100.163");
            assertThat(c.clientName()).isEqualTo("163.23.32.95.dsl-dynamic.vsi.example");
            assertThat(c.nullSender()).isTrue();
            assertThat(c.primary()).isEqualTo("mx1");
        });
    }

    @Test
    void sendmailRulesetLineWithForgedNameAndIpv6() throws Exception {
        contacts.line("Feb 23 21:36:14 petermurray sm-mta[22248]: s1NLaDQT022248: ruleset=check_rcpt, "
                + "arg1=<d@hotmail.example>, relay=int0.client.access.example [80.253.155.119] (may be forged), "
                + "reject=550 5.7.1 <d@hotmail.example>... Relaying denied. IP name possibly forged [80.253.155.119]");
        contacts.line("Feb 23 21:36:15 petermurray sm-mta[22248]: s1NLaDQT022249: ruleset=check_mail, arg1=<>, "
                + "relay=[IPv6:2001:db8::1], reject=451 4.1.8 Domain of sender address does not resolve");
        assertThat(recorded).hasSize(2);
        assertThat(recorded.get(0).client().getHostAddress()).isEqualTo("80.253.155.119");
        assertThat(recorded.get(1).client()).isEqualTo(InetAddress.getByName("2001:db8::1"));
        assertThat(recorded.get(1).clientName()).isEqualTo("unknown");
        assertThat(recorded.get(1).nullSender()).isTrue();
    }

    @Test
    void sendmailRelayWithAnIdentUserIsReadFromItsLastBracketPair() {
        contacts.line("Nov  3 11:35:30 mx1 sendmail[26254]: rA37ZTSC026254: from=<a@b.example>, size=10, class=0, "
                + "nrcpts=1, proto=SMTP, daemon=MTA, relay=joe@dial-9.isp.example [198.51.100.9]");
        contacts.line("Nov  3 11:35:31 mx1 sendmail[26255]: rA37ZTSC026255: from=<>, size=10, class=0, "
                + "nrcpts=1, proto=SMTP, daemon=MTA, relay=joe@[198.51.100.10]");
        contacts.line("Nov  3 11:35:32 mx1 sendmail[26256]: rA37ZTSC026256: from=<>, size=10, class=0, "
                + "nrcpts=1, proto=SMTP, daemon=MTA, relay=x[y.example [198.51.100.11]");
        assertThat(recorded).extracting(c -> c.client().getHostAddress() + " " + c.clientName())
                .containsExactly("198.51.100.9 dial-9.isp.example", "198.51.100.10 unknown");
    }

    @Test
    void linesWithoutAClientGiveNothing() {
        assertThat(contacts.line("Aug 18 00:01:38 acmemail1 postfix/qmgr[5748]: 7326D2B54: from=<a@b.example>, "
                + "size=1156, nrcpt=1 (queue active)")).isFalse();
        assertThat(contacts.line("Aug 18 00:01:38 acmemail1 postfix/smtpd[5748]: disconnect from "
                + "mail.example.org[192.0.2.55]")).isFalse();
        assertThat(contacts.line("Aug 18 00:01:38 acmemail1 sshd[5748]: connect from x[192.0.2.1]")).isFalse();
        assertThat(contacts.line("garbage")).isFalse();
        assertThat(contacts.line("")).isFalse();
        assertThat(recorded).isEmpty();
    }

    @Test
    void mxguardsOwnLinesNeverCount() {
        assertThat(contacts.line("Dec  6 05:00:00 backup postfix-mxguard/smtpd[1]: connect from "
                + "spam.example[203.0.113.9]")).isFalse();
        assertThat(recorded).isEmpty();
    }

    @Test
    void aLineWrittenBeforeNewYearAndReadAfterIsLastYears() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-31T23:59:58Z"));
        LogContacts rolling = new LogContacts(recorded::add, clock, "postfix-mxguard");
        rolling.line("Dec 31 23:59:57 mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]");
        clock.set(Instant.parse("2027-01-01T00:00:02Z"));
        rolling.line("Dec 31 23:59:59 mx1 postfix/smtpd[1]: connect from b.example[192.0.2.2]");
        rolling.line("Jan  1 00:00:01 mx1 postfix/smtpd[1]: connect from c.example[192.0.2.3]");
        assertThat(recorded).extracting(PrimaryContact::at).containsExactly(Instant.parse("2026-12-31T23:59:57Z"),
                Instant.parse("2026-12-31T23:59:59Z"), Instant.parse("2027-01-01T00:00:01Z"));
    }

    @Test
    void aContactIsNeverLaterThanNow() {
        contacts.line("2027-01-01T00:00:00Z mx1 postfix/smtpd[1]: connect from a.example[192.0.2.1]");
        assertThat(recorded.getFirst().at()).isEqualTo(CLOCK.instant());
    }

    /** Every connect and client= line of a real Postfix gateway's log is a contact, with its address. */
    @Test
    void everyClientOfARealPostfixLogIsRecorded() throws IOException {
        Pattern client = Pattern.compile("postfix/smtpd\\[\\d+\\]: (?:connect from |[0-9A-F]+: client=)"
                + "[^\\[]*\\[([0-9a-fA-F:.]+)\\]");
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/maillogs/mail-log-parse/"
                + "postfix-gateway.log"), StandardCharsets.ISO_8859_1);
        int expected = 0;
        for (String line : lines) {
            int before = recorded.size();
            contacts.line(line);
            Matcher m = client.matcher(line);
            if (m.find()) {
                expected++;
                assertThat(recorded).as(line).hasSize(before + 1);
                assertThat(recorded.getLast().client().getHostAddress()).isEqualTo(m.group(1));
            }
        }
        assertThat(expected).isGreaterThan(100);
    }
}
