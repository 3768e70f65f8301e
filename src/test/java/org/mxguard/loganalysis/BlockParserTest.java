package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.mxguard.loganalysis.gen.LogGenerator;

/**
 * The byte fast path gives exactly the events and counts of the string path: over every corpus
 * file, generated Postfix and sendmail logs, crafted lines at the edges of the usual shapes, and
 * mangled copies of the usual lines and of every line of the corpus.
 */
class BlockParserTest {

    private static final List<String> USUAL = List.of(
            "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from usr21-dialup51.mix2.example[198.18.11.55]",
            "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=usr21-dialup51.mix2.example[198.18.11.55]",
            "Oct  1 00:00:04 mx2 postfix/cleanup[9212]: 2B9773E900: message-id=<85e7bb0f@usr21.example>",
            "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: from=<>, size=22170, nrcpt=1 (queue active)",
            "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: disconnect from usr21.example[198.18.11.55] ehlo=1 quit=1",
            "Oct  1 00:00:04 mx2 postfix/smtp[9213]: 2B9773E900: to=<u1132@protected.example>, "
                    + "relay=mx1.protected.example[192.0.2.10]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, "
                    + "status=sent (250 2.0.0 Ok: queued as 363FE6C310)",
            "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: removed",
            "Oct 11 23:59:59 mx2 postfix/smtpd[20570]: connect from unknown[2001:DB8::1]");

    @Test
    void everyCorpusFileGivesTheSameEventsOnBothPaths() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/maillogs"))) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(files).hasSizeGreaterThan(40);
        long fast = 0;
        for (Path f : files) {
            fast += assertSame(Files.readAllBytes(f), f.toString());
        }
        assertThat(fast).as("lines the fast path took").isGreaterThan(100);
    }

    @Test
    void generatedLogsGiveTheSameEventsOnBothPaths() throws IOException {
        for (String format : List.of("postfix", "sendmail")) {
            StringWriter backup = new StringWriter();
            StringWriter primary = new StringWriter();
            new LogGenerator(new LogGenerator.Config(format, 1 << 20, 7, 2026)).write(backup, primary);
            long fast = assertSame(backup.toString().getBytes(StandardCharsets.ISO_8859_1), format);
            assertThat(fast).as(format + ": lines the fast path took").isGreaterThan(format.equals("postfix") ? 8000 : 4000);
            assertSame(primary.toString().getBytes(StandardCharsets.ISO_8859_1), format + " primary");
        }
    }

    @Test
    void linesAtTheEdgesOfTheUsualShapesGiveTheSameEvents() {
        List<String> lines = new ArrayList<>(USUAL);
        lines.addAll(List.of(
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from unknown.[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from .[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from a b[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from x[IPv6:FE80::1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from a.example[198.51.100.25].evil.example[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=a[198.51.100.25][10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from a[198.51.100.25]x[10.0.0.1]:",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: disconnect from a[10.0.0.1]]: x",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: NOQUEUE: reject: RCPT from a[198.51.100.25].b[10.0.0.1]: 554 5.7.1 x; from=<> to=<a@b> proto=SMTP helo=<x>",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from x[1234]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from x\u00e9[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: NOQUEUE: connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDE: connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: warning: connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd: 2B9773E900: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900:client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: abcde: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDEFGHIJKLMNOPQRSTU1: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDEFGHIJKLMNOPQRS1: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDEFGHIJKLMNOPQRST1: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDE: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCD: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: ABCDG: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: abcd1: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 3Yq8kZ1abcdefgH: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: AB-DE: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=x_y-z.[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=x[10.0.0.g]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=x[::]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: 2B9773E900: client=x[1.2.3.4.5.6.7.8.9.0.1.2.3.4.5.6.7.8.9.0.1.2.3.4]",
                "Oct  1 00:00:04 mx2 postfix-mxguard/smtpd[9211]: 2B9773E900: client=x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd [9211]: connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211] : connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 <mail.info> postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct  1 00:00:04  mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct 1 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct 01 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct 32 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct  0 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Feb 29 99:99:99 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Dec 31 23:59:59 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: from=<a>b>, size=1, nrcpt=2 (queue active)",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: from=<a>, size=1>, size=9, nrcpt=2",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: from=<a>, size=, nrcpt=1234567890123456789012",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: from=<a",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: removedx",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: 2B9773E900: to=<a@b>, relay=none, status=deferred (x)",
                "Oct  1 00:00:04 mx2 postfix/qmgr[900]: removed",
                "Oct  1 00:00:04 mx2 postfix/cleanup[9212]: 2B9773E900: reject: header X: from x; message-id=<a>",
                "Oct  1 00:00:04 mx2 postfix/cleanup[9212]: message-id=<a>",
                "Oct  1 00:00:04 mx2 postfix/smtp[9213]: 2B9773E900: to=<a@b>",
                "Oct  1 00:00:04 mx2 postfix/smtp[9213]: 2B9773E900: to=<a@b>, relay=x, dsn=, status=",
                "Oct  1 00:00:04 mx2 postfix/smtp[9213]: 2B9773E900: to=<a@b>, status=bounced",
                "Oct  1 00:00:04 mx2 postfix/local[9213]: 2B9773E900: to=<a@b>, orig_to=<c>, relay=local, status=sent",
                "Oct  1 00:00:04 mx2 postfix/smtp[9213]: to=<a@b>, relay=x, status=sent",
                "Oct  1 00:00:04 mx2 postfix/bounce[9213]: 2B9773E900: sender non-delivery notification: 1",
                "Oct  1 00:00:04 mx2 sendmail[1]: rA37ZTSC026254: from=<>, size=0, nrcpts=1, relay=[10.0.0.1]",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: 2BD192839B: client=unknown[198.51.100.10], "
                        + "sasl_username=client=victim.example[192.0.2.99]",
                "Nov  3 11:35:30 mx2 postfix/qmgr[1]: 2BD192839B: from=<a>, size=1, nrcpt=1 [192.0.2.99]@x>, "
                        + "size=1156, nrcpt=1 (queue active)",
                "Nov  3 11:35:30 mx2 postfix-mxguard/smtpd[1]: connect from unknown[198.51.100.11] "
                        + "Nov  3 11:35:31 mx2 postfix/smtpd[2]: connect from unknown[192.0.2.99]",
                "Nov  3 11:35:30 mx2 postfix/smtpd[1]: connect from client=x[192.0.2.99] y[198.51.100.12]",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]: connect from x[10.0.0.1]\r",
                "Oct  1 00:00:04 mx2 postfix/smtpd[9211]:",
                "Oct  1 00:00:04 mx2",
                "Oct  1 00:00:04 ",
                "",
                "# comment"));
        byte[] text = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
        assertSame(text, "crafted");
    }

    /** Sendmail's usual lines, and each in the shapes where the fast path must hand it on or read it alike. */
    private static final List<String> SENDMAIL = List.of(
            "Nov  3 11:35:30 mx2 sendmail[26254]: rA37ZTSC026254: from=<>, size=0, class=0, nrcpts=1, "
                    + "msgid=<a@b.example>, bodytype=8BITMIME, proto=ESMTP, daemon=MTA, "
                    + "relay=163.23.32.95.dsl-dynamic.vsi.example [198.51.100.163]",
            "Nov  3 11:35:31 mx2 sendmail[26255]: rA37ZTSC026254: to=<v@inbox.example>, ctladdr=<www-data@host> (33/33), "
                    + "delay=20:38:23, xdelay=00:00:00, mailer=esmtp, pri=11550899, relay=b.mx.inbox.example. "
                    + "[192.0.2.74], dsn=4.1.8, stat=Deferred: 450 4.1.8 <v@inbox.example>... Sender address rejected",
            "Nov  3 11:35:32 mx2 sm-mta[26256]: rA37ZTSC026254: to=<v@inbox.example>, delay=00:00:01, mailer=esmtp, "
                    + "relay=b.mx.inbox.example. [192.0.2.74], dsn=2.0.0, stat=Sent (ok ; id=20050520090742r1700irb9oe)",
            "Nov  3 11:35:33 mx2 sm-mta[26256]: rA37ZTSC026254: done; delay=00:00:01, ntries=1",
            "Jun 13 01:38:10 satellife sendmail[26050]: BAA26050: from=<joinkids@foo.example>, size=5357, class=0, "
                    + "pri=35357, nrcpts=1, msgid=<1996@surf.example>, proto=ESMTP, relay=hamlet.example [192.0.2.40]",
            "Jun 13 01:38:11 satellife sendmail[26050]: BAA26051: from=<a@b>, size=1, nrcpts=1, relay=[192.0.2.41]",
            "Jun 13 01:38:12 satellife sendmail[26050]: BAA26052: from=x, size=1, nrcpts=2, relay=x@localhost",
            "Jun 13 01:38:13 satellife sendmail[26050]: BAA26053: from=<a@b>, size=1, nrcpts=1, "
                    + "relay=int0.client.example [192.0.2.119] (may be forged)",
            "Jun 13 01:38:14 satellife sendmail[26050]: BAA26054: from=<a@b>, nrcpts=1, relay=x [IPv6:2001:DB8::1]",
            "Jun 13 01:38:15 satellife sendmail[26050]: BAA26055: from=<a@b>, nrcpts=1, relay=ident@x.example [192.0.2.7]",
            "Jun 13 01:38:15 satellife sendmail[26050]: BAA26056: from=<a@b>, nrcpts=1, relay=ident@[192.0.2.7]",
            "Jun 13 01:38:16 satellife sendmail[26050]: BAA26057: from=<\"a, relay=v [192.0.2.99]\"@b>, size=, "
                    + "msgid=<, relay=w [192.0.2.98]>, nrcpts=12345678901234567890123, relay=x.[192.0.2.8]",
            "Jun 13 01:38:17 satellife sendmail[26050]: BAA26058: from=<a@b>, relay=. [192.0.2.9]",
            "Jun 13 01:38:18 satellife sendmail[26050]: BAA26059: from=<a@b>, relay=a b [192.0.2.10]",
            "Jun 13 01:38:19 satellife sendmail[26050]: BAA26060: from=<a@b>, relay=x [192.0.2.g]",
            "Jun 13 01:38:19 satellife sendmail[26050]: BAA26061: from=<a@b>, relay=x [1234]",
            "Jun 13 01:38:19 satellife sendmail[26050]: BAA26062: from=<a@b>, relay=x [192.0.2.11]  ",
            "Jun 13 01:38:19 satellife sendmail[26050]: BAA26063: from=<a@b>",
            "Jun 13 01:38:19 satellife sendmail[26050]: BAA26064: from=, a=1, b=2, c=3, d=4, e=5, f=6, g=7, h=8, "
                    + "i=9, j=10, k=11, l=12, m=13, n=14, o=15, p=16, q=17, r=18, s=19, t=20, u=21, v=22, w=23, "
                    + "x=24, y=25, relay=x [192.0.2.12]",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: to=a@b,c@d, delay=00:00:00, mailer=local, dsn=2.0.0",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: to=a@b, mailer=local, dsn=5.0.0",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: to=a@b, mailer=local",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: to=a@b, stat=User unknown, dsn=2.0.0",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: to=a@b, stat=",
            "Jun 13 01:38:20 satellife sendmail[26050]: to=a@b, stat=Sent",
            "Jun 13 01:38:20 satellife sendmail[26050]: from=<a@b>, relay=x [192.0.2.13]",
            "Jun 13 01:38:20 satellife sm-msp-queue[26050]: BAA26063: to=<\"q, stat=Sent\"@b>, stat=Service unavailable",
            "Jun 13 01:38:20 satellife sendmailx[26050]: BAA26063: to=a@b, stat=Sent",
            "Jun 13 01:38:20 satellife sm[26050]: BAA26063: to=a@b, stat=Sent",
            "Jun 13 01:38:20 satellife sendmail[26050]: BAA26063: done",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<x@yahoo.example>, "
                    + "relay=118-161-66-57.dynamic.hinet.example [198.51.100.57], reject=550 5.7.1 <x@yahoo.example>... "
                    + "Relaying denied. Proper authentication required.",
            "Feb 24 07:33:59 host sm-mta[21134]: ruleset=check_relay, arg1=x.example, arg2=198.51.100.3, "
                    + "relay=x.example [198.51.100.3], reject=421 4.3.2 Connection rate limit exceeded.",
            "Feb 24 07:33:59 host sm-mta[21134]: NOQUEUE: ruleset=check_relay, relay=[198.51.100.3], reject=550 x",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_mail, arg1=<>, relay=[198.51.100.4], "
                    + "reject=451 4.1.8 Domain of sender address <> does not resolve",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_mail, arg1=<a@b>, relay=[198.51.100.4], "
                    + "reject=55",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<a@b>, relay=localhost, "
                    + "reject=550 5.7.1 x",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<a@b>, reject=550 5.7.1 x",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, arg1=<a@b>, relay=[192.0.2.1]",
            "Feb 24 07:33:59 host sm-mta[21134]: s1O7XtZJ021134: ruleset=check_rcpt, relay=, reject=550 5.7.1 x",
            "Jan  4 20:47:07 Jupiter sendmail[415]: starting daemon (8.12.9): SMTP+queueing@01:00:00",
            "Jan  4 20:47:07 Jupiter sendmail[405]: File descriptors missing on startup: stdin; Bad file descriptor",
            "Jan  4 20:47:07 Jupiter sendmail[405]:  two  spaces",
            "Jan  4 20:47:07 Jupiter sendmail[405]: 8bit data",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: j4K6MJcE012524: sender notify: Warning",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: x.example [192.0.2.5] did not issue "
                    + "MAIL/EXPN/VRFY/ETRN during connection to MTA",
            "Jan  4 20:47:07 Jupiter sendmail[405]:  did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: lost input channel from x [192.0.2.6] to MTA after rcpt",
            "Jan  4 20:47:07 Jupiter sendmail[405]: AUTH failure (LOGIN): authentication failure, relay=x [192.0.2.7]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: AUTH failure (LOGIN): authentication failure",
            "Jan  4 20:47:07 Jupiter sendmail[405]: rejecting commands from x [192.0.2.8] due to pre-greeting traffic",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [192.0.2.9]: possible SMTP attack: command=AUTH",
            "Jan  4 20:47:07 Jupiter sendmail[405]: : possible SMTP attack: command=AUTH",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: x [192.0.2.10]: VRFY root [rejected]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: x [192.0.2.10]: VRFY root [rejected]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: done; delay=00:00:01",
            "Jan  4 20:47:07 Jupiter sendmail[405]: NOQUEUE: connect from x [192.0.2.11]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: to=a@b, stat=Sent",
            // Clients seen without mail, with a queue id: read from the bytes, clear or not.
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [192.0.2.12] did not issue MAIL/EXPN/VRFY/ETRN "
                    + "during connection to MTA",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: x [192.0.2.13] (may be forged) did not issue "
                    + "MAIL/EXPN/VRFY/ETRN during connection to MSP-v4",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736:    did not issue MAIL/EXPN/VRFY/ETRN during connection",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: x did not issue MAIL/EXPN/VRFY/ETRN during connection",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: lost input channel from [192.0.2.14] to MTA-v4 after "
                    + "data",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: lost input channel from [192.0.2.14]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: lost input channel from x [IPv6:2001:DB8::1] to MTA",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: AUTH failure (LOGIN): authentication failure (-13) "
                    + "SASL(-13): user=a, relay=[192.0.2.100], relay=x [192.0.2.15] (may be forged)",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: AUTH failure (PLAIN): no relay",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: AUTH failure (PLAIN): x, relay=localhost",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: rejecting commands from  [192.0.2.16] due to "
                    + "pre-greeting traffic after 0 seconds",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: rejecting commands from [192.0.2.16] early",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: a.b [192.0.2.17]: possible SMTP attack: "
                    + "command=AUTH, count=5",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [192.0.2.18]: EXPN root [rejected]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [192.0.2.18] EXPN root [rejected]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [192.0.2.18] to x: EXPN root [rejected]",
            "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: lost input channel from [192.0.2.19] to MTA did not "
                    + "issue MAIL/EXPN/VRFY/ETRN during connection");

    @Test
    void sendmailLinesAtTheEdgesOfTheUsualShapesGiveTheSameEvents() {
        byte[] text = String.join("\n", SENDMAIL).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(assertSame(text, "sendmail crafted")).as("lines the fast path took").isGreaterThan(20);
    }

    @Test
    void linesOfSeveralHostsInOneBlockKeepTheirHosts() {
        // A central log host's file: hosts of the same length differing in one byte, in their last
        // byte, a host that is the start of another, names longer than eight bytes.
        List<String> hosts = List.of("mx2", "mx3", "nx3", "mx", "mx22", "relay.example", "relay.exampl3",
                "relay.example.org", "mx2");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String h = hosts.get(i * 7 % hosts.size());
            lines.add("Oct  1 00:00:" + String.format("%02d", i) + " " + h + " sendmail[1]: rA37ZTSC0262" + (10 + i)
                    + ": from=<>, size=1, class=0, nrcpts=1, relay=[192.0.2." + i + "]");
            lines.add("Oct  1 00:00:" + String.format("%02d", i) + " " + h + " postfix/smtpd[2]: connect from "
                    + "unknown[198.51.100." + i + "]");
        }
        byte[] text = String.join("\n", lines).getBytes(StandardCharsets.ISO_8859_1);
        assertThat(assertSame(text, "several hosts")).isEqualTo(120);
        List<LogEvent> events = new ArrayList<>();
        new BlockParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).parse(text, text.length, new EventList(events));
        assertThat(events.stream().map(LogEvent::host).toList())
                .isEqualTo(lines.stream().map(l -> l.split(" +")[3]).toList());
    }

    /** Every line of the corpus (sendmail, Postfix and mxguard logs, every kind of line), once. */
    private static final List<String> CORPUS = corpusLines();

    private static List<String> corpusLines() {
        try (Stream<Path> s = Files.walk(Path.of("src/test/resources/maillogs"))) {
            List<String> lines = new ArrayList<>();
            for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).lines().forEach(lines::add);
            }
            return lines.stream().distinct().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Provide
    Arbitrary<String> mangledLines() {
        return Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.of(USUAL)), Tuple.of(1, Arbitraries.of(SENDMAIL)),
                Tuple.of(3, Arbitraries.of(CORPUS)))
                .flatMap(line -> Arbitraries.integers().between(0, line.length()).flatMap(
                cut -> Arbitraries.strings().ofMaxLength(8).withChars("[]<>,;:= .-/0123456789aAZ\r\u00e9").map(
                        noise -> line.substring(0, cut) + noise + line.substring(Math.min(line.length(),
                                cut + noise.length() % 4)))));
    }

    @Property(tries = 3000)
    void mangledLinesOfEveryKindGiveTheSameEvents(@ForAll("mangledLines") String line) {
        // The line twice, so the second one meets the caches the first one filled.
        String twice = line + "\n" + line.replace("Oct  1", "Oct  2") + "\n" + line;
        assertSame(twice.getBytes(StandardCharsets.ISO_8859_1), line);
    }

    @Test
    void theCorpusHasLinesOfManyKindsToMangle() {
        assertThat(CORPUS).hasSizeGreaterThan(500)
                .anyMatch(l -> l.contains("sendmail[")).anyMatch(l -> l.contains("postfix/smtpd["))
                .anyMatch(l -> l.contains("NOQUEUE: reject:")).anyMatch(l -> l.contains("postfix/postscreen["));
    }

    @Test
    void aFailureInTheSinkIsNotTakenForALineTheFastPathCannotRead() {
        byte[] line = USUAL.getFirst().getBytes(StandardCharsets.ISO_8859_1);
        List<LogEvent> slow = new ArrayList<>();
        BlockParser.Sink broken = new EventList(slow) {
            @Override
            public void connect(String host, long time, BlockParser.ClientRef client) {
                throw new IllegalStateException("a bug in the join");
            }
        };
        BlockParser parser = new BlockParser(ZoneOffset.UTC, 2026, 12, new ParseCounters());
        assertThatThrownBy(() -> parser.parse(line, line.length, broken)).isInstanceOf(IllegalStateException.class)
                .hasMessage("a bug in the join");
        assertThat(slow).as("no second parse by the string path").isEmpty();
    }

    /** Parses on both paths, checks that they agree, and returns the lines the fast path took. */
    private static long assertSame(byte[] text, String what) {
        ParseCounters fastCounts = new ParseCounters();
        ParseCounters slowCounts = new ParseCounters();
        List<LogEvent> fast = new ArrayList<>();
        List<LogEvent> slow = new ArrayList<>();
        BlockParser parser = new BlockParser(ZoneOffset.UTC, 2026, 12, fastCounts);
        parser.parse(text, text.length, new EventList(fast));
        StringPath.parse(text, text.length, ZoneOffset.UTC, 2026, 12, slowCounts, slow);
        assertThat(fast).as(what).containsExactlyElementsOf(slow);
        assertThat(fastCounts.lines).as(what + " lines").isEqualTo(slowCounts.lines);
        assertThat(fastCounts.parsed).as(what + " parsed").isEqualTo(slowCounts.parsed);
        assertThat(fastCounts.skippedByKind()).as(what + " skipped").isEqualTo(slowCounts.skippedByKind());
        // Read as a primary MX's log, for its clients only: the same addresses, in the same order.
        List<LogEvent> clientsOnly = new ArrayList<>();
        new BlockParser(ZoneOffset.UTC, 2026, 12, new ParseCounters()).clientsOnly()
                .parse(text, text.length, new EventList(clientsOnly));
        assertThat(clientsOnly.stream().map(LogEvent::clientIp).filter(Objects::nonNull).toList())
                .as(what + " clients only").isEqualTo(slow.stream().map(LogEvent::clientIp).filter(Objects::nonNull)
                        .toList());
        return parser.fastLines;
    }
}
