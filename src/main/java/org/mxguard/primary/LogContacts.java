package org.mxguard.primary;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.mxguard.evidence.ContactRecorder;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.loganalysis.ClientSighting;
import org.mxguard.loganalysis.SightingParser;

/**
 * Turns the primary MX's mail log, line by line, into {@link PrimaryContact}s for a
 * {@link ContactRecorder}: every Postfix or sendmail line that names a client (connect, message,
 * reject...) is a client that tried the primary. Lines written under mxguard's own syslog name
 * are never taken: they are the backup's, and counting them would let every client vouch for
 * itself. Safe for several reader threads (the parser is used under a lock; a primary writes a
 * few thousand lines a second at most).
 */
public final class LogContacts {

    private final ContactRecorder recorder;
    private final Clock clock;
    private final String ownProgram;
    private final SightingParser parser;
    private long recorded;

    /**
     * @param ownProgram mxguard's own syslog name ({@code postfix-mxguard}): its lines are skipped
     */
    public LogContacts(ContactRecorder recorder, Clock clock, String ownProgram) {
        this.recorder = recorder;
        this.clock = clock;
        this.ownProgram = ownProgram;
        this.parser = new SightingParser(clock);
    }

    /** Reads one line; true when it named a client, which was then recorded. */
    public boolean line(String line) {
        Optional<PrimaryContact> contact;
        synchronized (this) {
            contact = parser.parse(line).filter(this::notOwn).flatMap(this::contact);
            if (contact.isPresent()) {
                recorded++;
            }
        }
        contact.ifPresent(recorder::record);
        return contact.isPresent();
    }

    /** How many contacts were recorded so far. */
    public synchronized long recorded() {
        return recorded;
    }

    private boolean notOwn(ClientSighting s) {
        String program = s.program();
        return !(program.equals(ownProgram) || program.startsWith(ownProgram + "/"));
    }

    private Optional<PrimaryContact> contact(ClientSighting s) {
        InetAddress client;
        try {
            client = InetAddress.ofLiteral(s.clientIp());
        } catch (IllegalArgumentException e) {
            // The parser takes address characters only, not only valid addresses ("1.2.3").
            return Optional.empty();
        }
        // A primary whose clock runs ahead (or a year guessed wrong) must not make a contact that
        // outlives its window: it happened no later than now.
        Instant now = clock.instant();
        Instant at = s.at().isAfter(now) ? now : s.at();
        return Optional.of(new PrimaryContact(client, s.clientName(), s.helo(), "".equals(s.sender()), s.host(), at,
                PrimaryContact.Source.PRIMARY_LOG));
    }
}
