package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendmailParserTest {

    private static List<LogEvent> parse(String line) {
        List<LogEvent> events = new ArrayList<>();
        new LineParser(ZoneOffset.UTC, 1998, 12, new ParseCounters()).parse(line, events);
        return events;
    }

    @Test
    void emsLineOf1998WithPriAndEightCharacterQueueId() {
        assertThat(parse("Mar  6 10:12:52 chalmers sendmail[15532]: KAA15532: from=<>, size=1234, class=0, "
                + "pri=31234, nrcpts=1, msgid=<199803060912.KAA15532@localhost>, proto=SMTP, "
                + "relay=usr13-dialup53.mix1.WillowSprings.mci.net [166.55.38.53]")).singleElement()
                .isInstanceOfSatisfying(LogEvent.From.class, f -> {
                    assertThat(f.queueId()).isEqualTo("KAA15532");
                    assertThat(f.sender()).isEmpty();
                    assertThat(f.size()).isEqualTo(1234);
                    assertThat(f.nrcpts()).isEqualTo(1);
                    assertThat(f.proto()).isEqualTo("SMTP");
                    assertThat(f.clientName()).isEqualTo("usr13-dialup53.mix1.WillowSprings.mci.net");
                    assertThat(f.clientIp()).isEqualTo("166.55.38.53");
                });
    }

    @Test
    void aRemovalLineIsOneWhateverItsTextHolds() {
        // Found by BlockParserFuzzTest: the string path searched for the text of a "did not issue" line
        // before it looked at the line's start, the byte path the other way round.
        assertThat(parse("Jan  6 02:39:16 Jupiter sendmail[978]: j061d8n5000976: done; host.example [192.0.2.1] "
                + "did not issue MAIL/EXPN/VRFY/ETRN during connection to MTA")).singleElement()
                .isEqualTo(new LogEvent.Removed("Jupiter", parse("Jan  6 02:39:16 Jupiter sendmail[978]: "
                        + "j061d8n5000976: done;").getFirst().time(), "j061d8n5000976"));
    }

    @Test
    void aMessageOfOnlyRejectedIsNoRefusedVrfy() {
        // Found by BlockParserFuzzTest: the string path took the space of the queue id's ": " as the
        // start of " [rejected]", the byte path did not; both now count the line as another line.
        ParseCounters counters = new ParseCounters();
        List<LogEvent> events = new ArrayList<>();
        new LineParser(ZoneOffset.UTC, 2005, 1, counters).parse(
                "Jan  4 20:47:07 Jupiter sendmail[405]: j4K488I4001736: [rejected]", events);
        assertThat(events).isEmpty();
        assertThat(counters.skippedByKind()).containsOnlyKeys("sendmail: other");
    }

    @Test
    void ipv6AndMayBeForged() {
        assertThat(parse("Nov  3 11:35:30 mx2 sm-mta[1]: 5A3BZTSC026254: from=<>, size=1, class=0, nrcpts=1, "
                + "msgid=<a@b>, proto=ESMTP, daemon=MTA-v6, relay=dyn.isp.example [IPv6:2001:DB8::1] (may be forged)"))
                .singleElement().isInstanceOfSatisfying(LogEvent.From.class, f -> {
                    assertThat(f.clientName()).isEqualTo("dyn.isp.example");
                    assertThat(f.clientIp()).isEqualTo("2001:db8::1");
                });
    }

    @Test
    void localSubmissionHasNoNetworkClient() {
        assertThat(parse("Jun 13 03:27:57 satellife sendmail[20646]: OAA20646: from=unique1@usa.healthnet.org, "
                + "size=214, class=0, pri=60214, nrcpts=2, msgid=<1@s>, relay=majordom@localhost")).singleElement()
                .isInstanceOfSatisfying(LogEvent.From.class, f -> {
                    assertThat(f.clientIp()).isNull();
                    assertThat(f.clientName()).isEqualTo("majordom@localhost");
                });
    }

    @Test
    void checkRelayRejectWithoutQueueId() {
        assertThat(parse("Feb 24 01:46:44 p sm-mta[24422]: ruleset=check_relay, arg1=leased-line-54-82.telecom.by, "
                + "arg2=217.21.54.82, relay=leased-line-54-82.telecom.by [217.21.54.82], reject=421 4.3.2 "
                + "Connection rate limit exceeded.")).singleElement().isInstanceOfSatisfying(LogEvent.Reject.class,
                        r -> {
                            assertThat(r.queueId()).isNull();
                            assertThat(r.stage()).isEqualTo("check_relay");
                            assertThat(r.code()).isEqualTo("421");
                            assertThat(r.reason()).isEqualTo("Connection rate limit exceeded.");
                            assertThat(r.clientIp()).isEqualTo("217.21.54.82");
                        });
    }

    @Test
    void deliveryLineWithDeferredStat() {
        assertThat(parse("Nov  3 11:35:30 h sendmail[1]: r39G922P001173: to=<v@inbox.lv>, ctladdr=<www-data@host> "
                + "(33/33), delay=20:38:23, xdelay=00:00:00, mailer=esmtp, pri=11550899, relay=b.mx.inbox.lv. "
                + "[89.111.3.74], dsn=4.1.8, stat=Deferred: 450 4.1.8 <x>: Sender address rejected"))
                .singleElement().isInstanceOfSatisfying(LogEvent.To.class, t -> {
                    assertThat(t.status()).isEqualTo(LogEvent.Status.DEFERRED);
                    assertThat(t.dsn()).isEqualTo("4.1.8");
                    assertThat(t.mailer()).isEqualTo("esmtp");
                    assertThat(t.relay()).isEqualTo("b.mx.inbox.lv. [89.111.3.74]");
                });
    }
}
