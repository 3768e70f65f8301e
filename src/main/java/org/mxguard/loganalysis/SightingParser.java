package org.mxguard.loganalysis;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one Postfix or sendmail syslog line at a time, as it is written, with the analyzer's own
 * parsers ({@link LineParser}: one parser per format in the project), and says which client it
 * shows. Lines without a client (deliveries, queue manager lines, other programs) give nothing.
 *
 * <p>RFC 3164 time stamps carry no year: the year is the clock's, and a month later than the
 * clock's month is last year's (a line written just before New Year and read just after). Not
 * thread-safe: one instance per reader.
 */
public final class SightingParser {

    private final Clock clock;
    private final ParseCounters counters = new ParseCounters();
    private final List<LogEvent> events = new ArrayList<>(2);
    private LineParser parser;
    private int year;
    private int month;
    /** The clock's month, in epoch milliseconds: the parser's reference year and month hold within it. */
    private long monthStart;
    private long nextMonth;

    public SightingParser(Clock clock) {
        this.clock = clock;
    }

    /** The client the line shows, or empty when it shows none. */
    public Optional<ClientSighting> parse(String line) {
        long now = clock.millis();
        if (parser == null || now >= nextMonth || now < monthStart) {
            LocalDate today = LocalDate.now(clock);
            year = today.getYear();
            month = today.getMonthValue();
            LocalDate first = today.withDayOfMonth(1);
            monthStart = first.atStartOfDay(clock.getZone()).toInstant().toEpochMilli();
            nextMonth = first.plusMonths(1).atStartOfDay(clock.getZone()).toInstant().toEpochMilli();
            parser = new LineParser(clock.getZone(), year, month, counters);
        }
        events.clear();
        parser.parse(line, events);
        for (LogEvent event : events) {
            ClientSighting sighting = sighting(line, parser.program(), event);
            if (sighting != null) {
                return Optional.of(sighting);
            }
        }
        return Optional.empty();
    }

    /** Lines read so far that showed no client, by kind (for a status line). */
    public long skipped() {
        return counters.skippedTotal();
    }

    private static ClientSighting sighting(String line, String program, LogEvent event) {
        return switch (event) {
            case LogEvent.Connect c -> of(program, c.host(), c.time(), c.clientName(), c.clientIp(), null, null,
                    ClientSighting.Kind.CONNECT);
            case LogEvent.Client c -> of(program, c.host(), c.time(), c.clientName(), c.clientIp(), null, null,
                    ClientSighting.Kind.MESSAGE);
            // Sendmail's from= line names the client in relay=; Postfix's qmgr from= line has none.
            case LogEvent.From f when f.clientIp() != null -> of(program, f.host(), f.time(), f.clientName(), f.clientIp(),
                    null, f.sender(), ClientSighting.Kind.MESSAGE);
            case LogEvent.Reject r when r.clientIp() != null -> of(program, r.host(), r.time(), r.clientName(), r.clientIp(),
                    PostfixParser.helo(line), r.sender(), ClientSighting.Kind.REJECT);
            // A disconnect follows every connect: it tells nothing the connect did not.
            case LogEvent.Seen s when !s.what().equals("disconnect") -> of(program, s.host(), s.time(), s.clientName(),
                    s.clientIp(), null, null, ClientSighting.Kind.OTHER);
            default -> null;
        };
    }

    private static ClientSighting of(String program, String host, long time, String name, String ip, String helo, String sender,
            ClientSighting.Kind kind) {
        return new ClientSighting(host, Instant.ofEpochSecond(time), program, name, ip, helo, sender, kind);
    }
}
