package org.mxguard.spool;

import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;

/**
 * A {@link MailAddress} as one header value: the escaped local part, '@', the escaped domain, or
 * "&lt;&gt;" for the null sender. Escaping turns any '@' or '%' of the local part into %-escapes, so
 * the single unescaped '@' separates the two halves whatever the local part holds.
 */
final class AddressField {

    private static final String NULL_SENDER = "<>";

    private AddressField() {
    }

    static String encode(MailAddress address) {
        if (address.isNullSender()) {
            return NULL_SENDER;
        }
        return FieldValue.escape(address.localPart()).replace("@", "%40") + "@"
                + FieldValue.escape(address.domain().name());
    }

    static MailAddress decode(String text) throws SpoolFormatException {
        if (text.equals(NULL_SENDER)) {
            return MailAddress.NULL_SENDER;
        }
        int at = text.indexOf('@');
        if (at < 0 || text.indexOf('@', at + 1) >= 0) {
            throw new SpoolFormatException("not an address value: " + text);
        }
        String domain = FieldValue.unescape(text.substring(at + 1));
        if (domain.isEmpty()) {
            throw new SpoolFormatException("address without a domain: " + text);
        }
        return new MailAddress(FieldValue.unescape(text.substring(0, at)), new Domain(domain));
    }
}
