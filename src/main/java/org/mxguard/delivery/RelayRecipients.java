package org.mxguard.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;

/**
 * The table of valid recipients, in the format of Postfix's relay_recipient_maps source file: one
 * {@code user@domain} per line, optionally followed by a value that is ignored ({@code OK},
 * {@code x}); {@code @domain} takes every user of that domain; {@code #} starts a comment.
 *
 * <p>Only domains that have a line are checked: a domain the file never mentions is not
 * restricted by it. Lookups ignore case, as Postfix's do.
 */
final class RelayRecipients {

    private final Set<String> addresses;
    private final Set<Domain> wholeDomains;
    private final Set<Domain> listed;

    private RelayRecipients(Set<String> addresses, Set<Domain> wholeDomains, Set<Domain> listed) {
        this.addresses = Set.copyOf(addresses);
        this.wholeDomains = Set.copyOf(wholeDomains);
        this.listed = Set.copyOf(listed);
    }

    static final RelayRecipients NONE = new RelayRecipients(Set.of(), Set.of(), Set.of());

    /** Reads the file; a bad line is an error naming the file and line. */
    static RelayRecipients read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Set<String> addresses = new HashSet<>();
        Set<Domain> whole = new HashSet<>();
        Set<Domain> listed = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String key = line.split("\\s+", 2)[0];
            int at = key.lastIndexOf('@');
            if (at < 0 || at == key.length() - 1) {
                throw new IOException(file + ":" + (i + 1) + ": expected user@domain or @domain, not '" + key + "'");
            }
            Domain domain;
            try {
                domain = Domain.parse(key.substring(at + 1));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
            listed.add(domain);
            if (at == 0) {
                whole.add(domain);
            } else {
                addresses.add(key.substring(0, at).toLowerCase(Locale.ROOT) + "@" + domain);
            }
        }
        return new RelayRecipients(addresses, whole, listed);
    }

    /** False only for a recipient of a listed domain that the file does not name. */
    boolean accepts(MailAddress recipient) {
        Domain domain = recipient.domain();
        if (!listed.contains(domain) || wholeDomains.contains(domain)) {
            return true;
        }
        return addresses.contains(recipient.localPart().toLowerCase(Locale.ROOT) + "@" + domain);
    }

    int size() {
        return addresses.size() + wholeDomains.size();
    }
}
