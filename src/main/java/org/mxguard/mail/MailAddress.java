package org.mxguard.mail;

/**
 * A mailbox as used in the SMTP envelope: a local part and a domain, or the null reverse-path
 * {@code <>} (RFC 5321 §4.5.5) which has neither. The local part is kept exactly as the client
 * sent it (quoting included); only the domain is canonical.
 *
 * @param localPart the local part, "" for the null sender
 * @param domain the domain, null for the null sender
 */
public record MailAddress(String localPart, Domain domain) {

    /** The null reverse-path {@code <>}, used by bounces and other notifications. */
    public static final MailAddress NULL_SENDER = new MailAddress("", null);

    public MailAddress {
        if (localPart == null) {
            throw new IllegalArgumentException("null local part");
        }
        if (domain == null && !localPart.isEmpty()) {
            throw new IllegalArgumentException("an address has a domain: " + localPart);
        }
    }

    public static MailAddress of(String localPart, String domain) {
        return new MailAddress(localPart, Domain.parse(domain));
    }

    public boolean isNullSender() {
        return domain == null;
    }

    /** The address without brackets: "user@example.org", or "" for the null sender. */
    public String address() {
        return domain == null ? "" : localPart + "@" + domain.name();
    }

    /** As logs and SMTP write it: "&lt;user@example.org&gt;" or "&lt;&gt;". */
    public String bracketed() {
        return "<" + address() + ">";
    }

    @Override
    public String toString() {
        return bracketed();
    }
}
