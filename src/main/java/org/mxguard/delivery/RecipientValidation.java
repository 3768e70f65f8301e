package org.mxguard.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.mxguard.delivery.VerifyCache.Entry;
import org.mxguard.dns.Dns;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.Reply;
import org.mxguard.maillog.MailLog;
import org.mxguard.smtp.RecipientCheck;

/**
 * Recipient validation for a backup MX, so that mail for users the primary does not have is
 * refused at RCPT and never bounced later to a forged sender (backscatter):
 *
 * <ol>
 *   <li>the table of valid recipients (Postfix's relay_recipient_maps): a user of a listed domain
 *       that the table does not name gets {@code 550 5.1.1 ... User unknown in relay recipient table};</li>
 *   <li>with verification on, the primary is asked (Postfix's reject_unverified_recipient), and its
 *       answer cached: known users for 31 days, unknown ones for 3 days, asked again after 7 days
 *       and 3 hours.</li>
 * </ol>
 *
 * <p>While no primary can be asked, the cache answers until its entries expire; a recipient it
 * does not know is accepted, because taking mail while the primary is down is what a backup MX is
 * for. A primary that answers 4xx for the recipient makes it {@code 450}: the client retries, and
 * nothing is accepted that may turn out unknown.
 */
public final class RecipientValidation implements RecipientCheck {

    /**
     * After a primary could not be asked, it is not asked again for this long: a backup MX works
     * mostly while its primary is down, and a primary that swallows packets would otherwise hold
     * every RCPT for the whole verification timeout.
     */
    static final Duration DOWN_FOR = Duration.ofSeconds(60);

    private final RecipientSettings settings;
    private final RelayRecipients table;
    private final RecipientProbe probe;
    private final Clock clock;
    private final MailLog mailLog;
    private final VerifyCache cache;
    private final Map<Domain, Instant> downUntil = new ConcurrentHashMap<>();

    RecipientValidation(RecipientSettings settings, RelayRecipients table, RecipientProbe probe, VerifyCache cache,
            Clock clock, MailLog mailLog) {
        this.settings = settings;
        this.cache = cache;
        this.table = table;
        this.probe = probe;
        this.clock = clock;
        this.mailLog = mailLog;
    }

    /**
     * Builds the validation delivery would use to reach the primaries.
     *
     * @param cacheFile where the primaries' answers are kept across restarts, or null to keep them in memory only
     * @throws UncheckedIOException when the recipient file cannot be read or has a bad line (the
     *     message names file and line)
     */
    public static RecipientValidation create(RecipientSettings settings, DeliverySettings delivery, Dns dns,
            MailLog mailLog, Clock clock, Path cacheFile) {
        RelayRecipients table;
        try {
            table = settings.file() == null ? RelayRecipients.NONE : RelayRecipients.read(settings.file());
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        RoutePlanner planner = new RoutePlanner(delivery, dns, new Random(), LocalIdentity.from(delivery), mailLog);
        RecipientProbe probe = new RecipientProbe(planner, delivery.hostname(), delivery.tls(),
                TlsContexts.of(delivery.tlsCaFile()), settings.timeout());
        VerifyCache cache = new VerifyCache(settings.verify() ? cacheFile : null, clock, settings);
        return new RecipientValidation(settings, table, probe, cache, clock, mailLog);
    }

    /**
     * Reads a valid-recipient file as {@link #create} will, so that a configuration check finds its
     * errors before the server starts.
     *
     * @throws IOException naming the file, and the line when one is bad
     */
    public static void checkRecipientFile(Path file) throws IOException {
        RelayRecipients.read(file);
    }

    /** True when this checks anything at all. */
    public boolean active() {
        return settings.verify() || table.size() > 0;
    }

    @Override
    public Optional<Reply> refusal(MailAddress recipient) {
        if (recipient.localPart().equalsIgnoreCase("postmaster")) {
            // RFC 5321 §4.5.1: postmaster is always accepted, whatever a table forgot to list.
            return Optional.empty();
        }
        if (!table.accepts(recipient)) {
            return Optional.of(Reply.of(550, "5.1.1", recipient.bracketed()
                    + ": Recipient address rejected: User unknown in relay recipient table"));
        }
        if (!settings.verify()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Entry known = cache.get(recipient);
        if (known != null && now.isBefore(known.at().plus(known.valid() ? settings.positiveRefresh()
                : settings.negativeRefresh()))) {
            return answer(recipient, known);
        }
        Instant down = downUntil.get(recipient.domain());
        if (down != null && now.isBefore(down)) {
            return whileDown(recipient, known, now);
        }
        return switch (probe.probe(recipient)) {
            case ProbeResult.Valid valid -> {
                downUntil.remove(recipient.domain());
                yield remember(recipient, new Entry(true, null, now));
            }
            case ProbeResult.Invalid invalid -> remember(recipient, new Entry(false, invalid.reason(), now));
            // Postfix: "450 4.1.1 <x>: Recipient address rejected: unverified address: ..."
            case ProbeResult.TryLater later -> Optional.of(Reply.of(450, "4.1.1", recipient.bracketed()
                    + ": Recipient address rejected: unverified address: " + later.reason()));
            case ProbeResult.Unreachable unreachable -> {
                downUntil.put(recipient.domain(), clock.instant().plus(DOWN_FOR));
                yield whileDown(recipient, known, now);
            }
        };
    }

    /** The cache answers while its entry lasts; nobody to ask and nothing known: the backup takes it. */
    private Optional<Reply> whileDown(MailAddress recipient, Entry known, Instant now) {
        if (known != null && cache.live(known, now)) {
            return answer(recipient, known);
        }
        return Optional.empty();
    }

    private Optional<Reply> remember(MailAddress recipient, Entry entry) {
        cache.put(recipient, entry);
        if (!entry.valid()) {
            mailLog.log("verify", "recipient " + recipient.bracketed() + " is undeliverable: " + entry.reason());
        }
        return answer(recipient, entry);
    }

    private static Optional<Reply> answer(MailAddress recipient, Entry entry) {
        if (entry.valid()) {
            return Optional.empty();
        }
        // Postfix: "550 5.1.1 <x>: Recipient address rejected: undeliverable address: host ... said: ..."
        return Optional.of(Reply.of(550, "5.1.1", recipient.bracketed()
                + ": Recipient address rejected: undeliverable address: " + entry.reason()));
    }
}
