package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SyslogHeaderTest {

    @Test
    void rfc3164TakesTheYearFromTheReferenceAndTheZoneGiven() {
        SyslogHeader h = new SyslogHeader(ZoneId.of("Europe/Stockholm"), 1998, 12);
        assertThat(h.parse("Mar  6 10:12:52 chalmers sendmail[15532]: KAA15532: from=<>")).isTrue();
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("1998-03-06T09:12:52Z"));
        assertThat(h.host).isEqualTo("chalmers");
        assertThat(h.program).isEqualTo("sendmail");
        assertThat("Mar  6 10:12:52 chalmers sendmail[15532]: KAA15532: from=<>".substring(h.messageStart))
                .isEqualTo("KAA15532: from=<>");
    }

    @Test
    void aStampThatEndsTheLineIsNoHeaderNotACrash() {
        // Found by BlockParserFuzzTest: a day written with three digits left the stamp's last
        // character at the end of the line, and the check for the space after it read past it.
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2026, 12);
        assertThat(h.parse("OceectJ")).isFalse();
        assertThat(h.parse("Oct  001 00:00:04")).isFalse();
        assertThat(new SyslogHeader(ZoneOffset.UTC, 2026, 12).parse("Oct  001 00:00:04")).isFalse();
        assertThat(h.parse("Oct  1 00:00:04")).isFalse();
        assertThat(h.parse("Oct 01 00:00:04 h p: m")).isTrue();
    }

    @Test
    void monthsAfterTheFilesMonthBelongToTheYearBefore() {
        // A file rotated in January 2027 holds December 2026 lines, then January 2027 ones.
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2027, 1);
        h.parse("Dec 31 23:59:59 mx postfix/smtpd[1]: connect from a[192.0.2.1]");
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        h.parse("Jan  1 00:00:01 mx postfix/smtpd[1]: connect from a[192.0.2.1]");
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("2027-01-01T00:00:01Z"));
    }

    @Test
    void rfc3339WithOffsetAndFractionAsRsyslogWritesIt() {
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2026, 12);
        assertThat(h.parse("2024-03-22T08:00:01.000+01:00 mailhost postfix/smtpd[12345]: X: client=a[192.0.2.1]"))
                .isTrue();
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("2024-03-22T07:00:01Z"));
        assertThat(h.program).isEqualTo("postfix/smtpd");
    }

    @Test
    void rfc3339InUtcAndWithoutOffsetAsJournaldExportsIt() {
        SyslogHeader h = new SyslogHeader(ZoneId.of("Europe/Stockholm"), 2026, 12);
        assertThat(h.parse("2026-11-26T22:01:02.123456Z mx2 postfix/smtpd[1]: connect from a[192.0.2.1]")).isTrue();
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("2026-11-26T22:01:02Z"));
        assertThat(h.parse("2026-07-01T12:00:00 mx2 postfix/smtpd[1]: connect from a[192.0.2.1]")).isTrue();
        assertThat(Instant.ofEpochSecond(h.time)).isEqualTo(Instant.parse("2026-07-01T10:00:00Z"));
        assertThat(h.parse("2026-13-01T12:00:00Z mx2 postfix/smtpd[1]: x")).isFalse();
    }

    @Test
    void bsdPriorityTokenIsSkipped() {
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2026, 12);
        assertThat(h.parse("Jun 17 14:37:39 <mail.info> robin sm-mta[2794]: 55HIbcGI002794: from=<a@b>")).isTrue();
        assertThat(h.host).isEqualTo("robin");
        assertThat(h.program).isEqualTo("sm-mta");
    }

    @Test
    void singleDigitDayWithOneSpaceAndNoPid() {
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2005, 12);
        assertThat(h.parse("Mar 7 02:09:33 server postfix/smtpd: lost connection")).isTrue();
        assertThat(h.program).isEqualTo("postfix/smtpd");
    }

    @Test
    void garbageIsNotAHeader() {
        SyslogHeader h = new SyslogHeader(ZoneOffset.UTC, 2026, 12);
        assertThat(h.parse("this is not syslog at all, no: colon")).isFalse();
        assertThat(h.parse("Foo 99 99:99:99 x y: z")).isFalse();
        assertThat(h.parse("")).isFalse();
    }

    @Test
    void epochDayIsLocalDatesForEveryDayAndRunsOnPastTheMonthsEnd() {
        for (int year : new int[] {1969, 1970, 1996, 1998, 1999, 2000, 2024, 2026, 2100}) {
            for (int month = 1; month <= 12; month++) {
                for (int day = 1; day <= 31; day++) {
                    long expected = java.time.LocalDate.of(year, month, 1).plusDays(day - 1L).toEpochDay();
                    assertThat(SyslogHeader.epochDay(year, month, day)).as(year + "-" + month + "-" + day)
                            .isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aFixedOffsetZoneGivesTheSameDayStartsAsZoneRules() {
        for (ZoneId zone : new ZoneId[] {ZoneOffset.UTC, ZoneOffset.ofHours(-5), ZoneOffset.ofHoursMinutes(5, 30),
            ZoneId.of("Etc/GMT-3")}) {
            SyslogHeader h = new SyslogHeader(zone, 2026, 12);
            for (int month = 1; month <= 12; month++) {
                for (int day = 1; day <= 31; day++) {
                    long expected = java.time.LocalDate.of(2026, month, 1).plusDays(day - 1L).atStartOfDay(zone)
                            .toEpochSecond();
                    assertThat(h.dayStart(2026, month, day)).as(zone + " " + month + "-" + day).isEqualTo(expected);
                }
            }
        }
    }
}
