package org.mxguard.policy;

import java.util.Locale;
import org.mxguard.mail.MailAddress;

/**
 * A sender or recipient in a rule: {@code <>} (the null reverse-path), {@code user@example.org},
 * {@code user@} (that local part at any domain), {@code example.org} (any mailbox at exactly that
 * domain) or {@code .example.org} (any mailbox at a domain below it). Compared without case, as
 * Postfix and sendmail look up access keys.
 *
 * @param kind which of the forms
 * @param localPart the local part in lower case, or null
 * @param domain the domain (canonical), or null
 */
record AddressPattern(Kind kind, String localPart, String domain) {

    /** The forms an address pattern takes. */
    public enum Kind {
        NULL_SENDER, MAILBOX, LOCAL_PART, DOMAIN, SUBTREE
    }

    public static final AddressPattern NULL = new AddressPattern(Kind.NULL_SENDER, null, null);

    public static AddressPattern parse(String text) {
        if (text.equals("<>")) {
            return NULL;
        }
        String s = text;
        if (s.startsWith("<") && s.endsWith(">") && s.length() > 2) {
            s = s.substring(1, s.length() - 1);
        }
        int at = s.lastIndexOf('@');
        if (at < 0) {
            NamePattern d = NamePattern.parse(s);
            return new AddressPattern(d.subtree() ? Kind.SUBTREE : Kind.DOMAIN, null, d.name());
        }
        String local = s.substring(0, at).toLowerCase(Locale.ROOT);
        if (local.isEmpty() || local.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>' || c == ',')) {
            throw new IllegalArgumentException("not a mail address: " + text);
        }
        if (at == s.length() - 1) {
            return new AddressPattern(Kind.LOCAL_PART, local, null);
        }
        return new AddressPattern(Kind.MAILBOX, local, NamePattern.canonical(s.substring(at + 1), text));
    }

    public boolean matches(MailAddress address) {
        if (address == null) {
            return false;
        }
        if (address.isNullSender()) {
            return kind == Kind.NULL_SENDER;
        }
        String d = address.domain().name();
        return switch (kind) {
            case NULL_SENDER -> false;
            case MAILBOX -> d.equals(domain) && address.localPart().equalsIgnoreCase(localPart);
            case LOCAL_PART -> address.localPart().equalsIgnoreCase(localPart);
            case DOMAIN -> d.equals(domain);
            case SUBTREE -> d.length() > domain.length() + 1 && d.endsWith(domain)
                    && d.charAt(d.length() - domain.length() - 1) == '.';
        };
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NULL_SENDER -> "<>";
            case MAILBOX -> localPart + "@" + domain;
            case LOCAL_PART -> localPart + "@";
            case DOMAIN -> domain;
            case SUBTREE -> "." + domain;
        };
    }
}
