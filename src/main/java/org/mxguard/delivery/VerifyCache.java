package org.mxguard.delivery;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mxguard.mail.MailAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the primaries said about recipients, kept for as long as it may be used, in memory and (when
 * a file is given) on disk, so that a restart while the primary is down does not forget who exists
 * (Postfix keeps its verify cache in a file for the same reason).
 *
 * <p>The file is a journal of tab-separated lines {@code valid|invalid  epoch-second  address
 * reason}, appended on each new answer and rewritten with only the live entries at start; the
 * last line for an address wins. Losing its tail in a crash only means asking the primary again.
 */
final class VerifyCache {

    private static final Logger LOG = LoggerFactory.getLogger(VerifyCache.class);
    /** Enough for a large domain; a dictionary attack cannot make the cache grow past it. */
    static final int MAX_ENTRIES = 200_000;

    /** One answer: {@code reason} is the primary's refusal for an invalid address, null for a valid one. */
    record Entry(boolean valid, String reason, Instant at) {
    }

    private final Path file;
    private final Clock clock;
    private final RecipientSettings settings;
    private final Map<MailAddress, Entry> entries = new ConcurrentHashMap<>();

    VerifyCache(Path file, Clock clock, RecipientSettings settings) {
        this.file = file;
        this.clock = clock;
        this.settings = settings;
        if (file != null) {
            load();
        }
    }

    Entry get(MailAddress address) {
        return entries.get(address);
    }

    /** True while the entry may still answer for a primary that cannot be asked. */
    boolean live(Entry entry, Instant now) {
        return now.isBefore(entry.at().plus(entry.valid() ? settings.positiveExpire() : settings.negativeExpire()));
    }

    synchronized void put(MailAddress address, Entry entry) {
        if (entries.size() >= MAX_ENTRIES) {
            evict();
        }
        entries.put(address, entry);
        if (file == null) {
            return;
        }
        String line = line(address, entry);
        if (line == null) {
            return;
        }
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            out.write(line);
        } catch (IOException e) {
            LOG.warn("cannot add to the recipient verification cache {}: {}", file, e.toString());
        }
    }

    private void evict() {
        Instant now = clock.instant();
        entries.values().removeIf(e -> !live(e, now));
        if (entries.size() >= MAX_ENTRIES) {
            // Unknown users are what an attack adds; known ones are what the backup needs.
            entries.values().removeIf(e -> !e.valid());
        }
    }

    private void load() {
        if (!Files.exists(file)) {
            return;
        }
        Instant now = clock.instant();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] fields = line.split("\t", 4);
                int at = fields.length >= 3 ? fields[2].lastIndexOf('@') : -1;
                if (at <= 0 || !(fields[0].equals("valid") || fields[0].equals("invalid"))) {
                    continue;
                }
                try {
                    MailAddress address = MailAddress.of(fields[2].substring(0, at), fields[2].substring(at + 1));
                    boolean valid = fields[0].equals("valid");
                    Entry entry = new Entry(valid, valid || fields.length < 4 ? null : fields[3],
                            Instant.ofEpochSecond(Long.parseLong(fields[1])));
                    if (live(entry, now)) {
                        entries.put(address, entry);
                    } else {
                        entries.remove(address);
                    }
                } catch (IllegalArgumentException ignored) {
                    // A damaged line costs one question to the primary.
                }
            }
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (BufferedWriter out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                for (Map.Entry<MailAddress, Entry> e : entries.entrySet()) {
                    String line = line(e.getKey(), e.getValue());
                    if (line != null) {
                        out.write(line);
                    }
                }
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot read the recipient verification cache {}: {}", file, e.toString());
        }
    }

    private static String line(MailAddress address, Entry entry) {
        String text = address.address();
        if (text.indexOf('\t') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return null;
        }
        String reason = entry.reason() == null ? "" : entry.reason().replaceAll("[\\t\\r\\n]", " ");
        return String.join("\t", List.of(entry.valid() ? "valid" : "invalid",
                String.valueOf(entry.at().getEpochSecond()), text, reason)) + "\n";
    }
}
