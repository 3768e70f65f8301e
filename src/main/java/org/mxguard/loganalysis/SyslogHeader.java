package org.mxguard.loganalysis;

import java.time.LocalDate;
import java.time.ZoneId;

/**
 * Reads the syslog prefix of a line: timestamp, host, program and pid, leaving {@link #messageStart}
 * at the message. Reused line after line by one thread (it is mutable on purpose: no allocation
 * per line beyond the host and program strings, which are interned in a tiny cache).
 *
 * <p>Timestamps: RFC 3164 ({@code Nov  3 11:35:30}, no year: the year comes from the file's
 * modification time, and a month later than that month belongs to the year before, which handles
 * a file that spans New Year), and RFC 3339 / ISO 8601 as rsyslog and journald exports write it.
 * An optional BSD {@code <facility.level>} token after the time is skipped.
 *
 * <p>The RFC 3164 stamp, host and program are mirrored byte by byte in {@link BlockParser} (its
 * {@code stamp} and {@code fast}): a change here is made there too, and {@code BlockParserTest}
 * compares the two.
 */
final class SyslogHeader {

    private static final String MONTHS = "JanFebMarAprMayJunJulAugSepOctNovDec";

    private static final int NO_FIXED_OFFSET = Integer.MIN_VALUE;

    private final ZoneId zone;
    /** The zone's offset in seconds when it never changes, else NO_FIXED_OFFSET. */
    private final int fixedOffset;
    final int referenceYear;
    final int referenceMonth;
    private long cachedDayKey = -1;
    private long cachedDayStart;
    private String lastHost = "";
    private String lastProgram = "";

    long time;
    String host;
    String program;
    /** The part of the program name after the last slash: {@code smtpd} of {@code postfix/smtpd}. */
    String daemon = "";
    int messageStart;

    SyslogHeader(ZoneId zone, int referenceYear, int referenceMonth) {
        this.zone = zone;
        this.fixedOffset = zone.getRules().isFixedOffset()
                ? zone.getRules().getOffset(java.time.Instant.EPOCH).getTotalSeconds() : NO_FIXED_OFFSET;
        this.referenceYear = referenceYear;
        this.referenceMonth = referenceMonth;
    }

    /** Parses the prefix; false when the line has no syslog header this class knows. */
    boolean parse(String line) {
        int len = line.length();
        int pos;
        if (len > 16 && line.charAt(3) == ' ' && isMonthStart(line)) {
            pos = parseRfc3164(line);
        } else if (len > 20 && line.charAt(4) == '-' && line.charAt(10) == 'T') {
            pos = parseRfc3339(line);
        } else {
            return false;
        }
        if (pos < 0) {
            return false;
        }
        if (pos < len && line.charAt(pos) == '<') {
            int close = line.indexOf("> ", pos);
            if (close < 0 || close - pos > 16) {
                return false;
            }
            pos = close + 2;
        }
        int hostEnd = line.indexOf(' ', pos);
        if (hostEnd <= pos) {
            return false;
        }
        host = hostString(line, pos, hostEnd);
        pos = hostEnd + 1;
        int colon = line.indexOf(": ", pos);
        if (colon < 0) {
            return false;
        }
        int progEnd = colon;
        if (line.charAt(colon - 1) == ']') {
            int open = line.lastIndexOf('[', colon);
            if (open > pos) {
                progEnd = open;
            }
        }
        if (progEnd - pos > 64 || line.indexOf(' ', pos) < progEnd) {
            return false;
        }
        program = programString(line, pos, progEnd);
        messageStart = colon + 2;
        return true;
    }

    /** 1..12 for an English month abbreviation, -1 otherwise; no allocation. */
    private static int month(char a, char b, char c) {
        for (int i = 0; i < 12; i++) {
            int at = i * 3;
            if (MONTHS.charAt(at) == a && MONTHS.charAt(at + 1) == b && MONTHS.charAt(at + 2) == c) {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean isMonthStart(String line) {
        return Character.isUpperCase(line.charAt(0)) && line.charAt(6) != '-';
    }

    private int parseRfc3164(String line) {
        int month = month(line.charAt(0), line.charAt(1), line.charAt(2));
        if (month < 0) {
            return -1;
        }
        int pos = 4;
        if (line.charAt(pos) == ' ') {
            pos++;
        }
        int day = 0;
        while (pos < line.length() && Character.isDigit(line.charAt(pos))) {
            day = day * 10 + line.charAt(pos++) - '0';
        }
        // " HH:MM:SS " follows the day: ten characters.
        if (day < 1 || day > 31 || pos + 10 > line.length() || line.charAt(pos) != ' ') {
            return -1;
        }
        pos++;
        int h = twoDigits(line, pos);
        int m = twoDigits(line, pos + 3);
        int s = twoDigits(line, pos + 6);
        if (h < 0 || m < 0 || s < 0 || line.charAt(pos + 2) != ':' || line.charAt(pos + 8) != ' ') {
            return -1;
        }
        int year = month > referenceMonth ? referenceYear - 1 : referenceYear;
        time = dayStart(year, month, day) + h * 3600L + m * 60L + s;
        return pos + 9;
    }

    /**
     * Days since 1970-01-01 of a date (proleptic Gregorian, as {@link LocalDate#toEpochDay}): H.
     * Hinnant's days_from_civil, integer arithmetic only. A day past the month's end runs on into
     * the next month (Feb 29 of a common year is Mar 1), as the cached path does for a date that
     * LocalDate refuses.
     */
    static long epochDay(int year, int month, int day) {
        // Years start in March, so that February's length is the year's last day: January and
        // February count in the year before ((14 - month) / 12 is 1 for them, 0 for the others).
        int y = year - (14 - month) / 12;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int mp = (month + 9) % 12;
        int doy = (153 * mp + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097L + doe - 719468;
    }

    /**
     * Epoch second of the start of that day in the zone. In a zone with a fixed offset (UTC, as
     * servers mostly log) it is arithmetic, with no branch on which day it is: the compiled parser
     * that inlines this then never meets a branch it has not seen taken (a new day, after hours of
     * one), which would throw its machine code away. Elsewhere the last day is cached.
     */
    long dayStart(int year, int month, int day) {
        if (fixedOffset != NO_FIXED_OFFSET) {
            return epochDay(year, month, day) * 86400L - fixedOffset;
        }
        long key = year * 10000L + month * 100L + day;
        if (key != cachedDayKey) {
            try {
                cachedDayStart = LocalDate.of(year, month, day).atStartOfDay(zone).toEpochSecond();
            } catch (java.time.DateTimeException e) {
                // Feb 29 in a year without it: syslog wrote it, so keep the line and count it as Mar 1.
                cachedDayStart = LocalDate.of(year, month, 1).plusDays(day - 1L).atStartOfDay(zone).toEpochSecond();
            }
            cachedDayKey = key;
        }
        return cachedDayStart;
    }

    /**
     * {@code 2024-03-22T08:00:01[.fraction](Z|+hh:mm|-hh:mm)} (RFC 3339 §5.6) by hand, no
     * allocation; a stamp without an offset is local time in the configured zone.
     */
    private int parseRfc3339(String line) {
        int end = line.indexOf(' ');
        if (end < 19) {
            return -1;
        }
        int year = twoDigits(line, 0) * 100 + twoDigits(line, 2);
        int month = twoDigits(line, 5);
        int day = twoDigits(line, 8);
        int h = twoDigits(line, 11);
        int m = twoDigits(line, 14);
        int sec = twoDigits(line, 17);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || h < 0 || h > 23 || m < 0 || sec < 0
                || line.charAt(13) != ':' || line.charAt(16) != ':' || line.charAt(7) != '-') {
            return -1;
        }
        int pos = 19;
        if (pos < end && (line.charAt(pos) == '.' || line.charAt(pos) == ',')) {
            pos++;
            while (pos < end && Character.isDigit(line.charAt(pos))) {
                pos++;
            }
        }
        long seconds = h * 3600L + m * 60L + sec;
        if (pos == end) {
            time = dayStart(year, month, day) + seconds;
            return end + 1;
        }
        long offset;
        char sign = line.charAt(pos);
        if ((sign == 'Z' || sign == 'z') && pos + 1 == end) {
            offset = 0;
        } else if ((sign == '+' || sign == '-') && end - pos == 6 && line.charAt(pos + 3) == ':') {
            int oh = twoDigits(line, pos + 1);
            int om = twoDigits(line, pos + 4);
            if (oh < 0 || om < 0) {
                return -1;
            }
            offset = (sign == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
        } else {
            return -1;
        }
        try {
            time = java.time.LocalDate.of(year, month, day).toEpochDay() * 86400L + seconds - offset;
        } catch (java.time.DateTimeException e) {
            return -1;
        }
        return end + 1;
    }

    private static int twoDigits(String s, int at) {
        char a = s.charAt(at);
        char b = s.charAt(at + 1);
        if (a < '0' || a > '9' || b < '0' || b > '9') {
            return -1;
        }
        return (a - '0') * 10 + b - '0';
    }

    private String hostString(String line, int from, int to) {
        if (lastHost.length() != to - from || !line.startsWith(lastHost, from)) {
            lastHost = line.substring(from, to);
        }
        return lastHost;
    }

    private String programString(String line, int from, int to) {
        if (lastProgram.length() != to - from || !line.startsWith(lastProgram, from)) {
            lastProgram = line.substring(from, to);
            daemon = lastProgram.substring(lastProgram.lastIndexOf('/') + 1);
        }
        return lastProgram;
    }
}
