package org.mxguard.delivery;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.mxguard.mail.MailAddress;

/**
 * Whether a message must travel with SMTPUTF8 (RFC 6531 §3.4): it came with the parameter and an
 * address of the transaction has a UTF-8 local part, or its header has UTF-8 text (RFC 6532).
 * Domains need nothing: they are kept as A-labels. A UTF-8 body alone needs only 8BITMIME.
 */
final class SmtpUtf8Need {

    private SmtpUtf8Need() {
    }

    static boolean of(boolean receivedWithSmtpUtf8, MailAddress sender, List<MailAddress> recipients,
            ClientTransaction.Content content) throws IOException {
        if (!receivedWithSmtpUtf8) {
            return false;
        }
        if (!ascii(sender.localPart()) || recipients.stream().anyMatch(r -> !ascii(r.localPart()))) {
            return true;
        }
        try (InputStream in = new BufferedInputStream(content.open())) {
            return headerHasEightBit(in);
        }
    }

    /** True if a byte above 127 comes before the blank line that ends the header (RFC 5322 §2.1). */
    static boolean headerHasEightBit(InputStream in) throws IOException {
        boolean lineStart = true;
        int b;
        while ((b = in.read()) >= 0) {
            if (b >= 0x80) {
                return true;
            }
            if (b == '\n') {
                if (lineStart) {
                    return false;
                }
                lineStart = true;
            } else if (b != '\r') {
                lineStart = false;
            }
        }
        return false;
    }

    private static boolean ascii(String text) {
        return text.chars().allMatch(c -> c < 0x80);
    }
}
