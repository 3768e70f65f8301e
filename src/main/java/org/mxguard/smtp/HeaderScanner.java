package org.mxguard.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Watches the header lines of a message going by: remembers its Message-ID (RFC 5322 §3.6.4),
 * unfolded, for the log, and counts its Received fields (the hops it made, RFC 5321 §6.3). Stops
 * at the blank line that ends the header.
 */
final class HeaderScanner {

    private static final int MAX_FIELD = 4096;

    private final StringBuilder field = new StringBuilder();
    private boolean inHeader = true;
    private String messageId;
    private int received;

    void line(byte[] bytes, int length) {
        if (!inHeader) {
            return;
        }
        if (length == 0) {
            finishField();
            inHeader = false;
            return;
        }
        boolean continuation = bytes[0] == ' ' || bytes[0] == '\t';
        if (!continuation) {
            finishField();
            if (length >= 9 && new String(bytes, 0, 9, StandardCharsets.US_ASCII).equalsIgnoreCase("received:")) {
                received++;
            }
        }
        if (field.length() + length <= MAX_FIELD) {
            field.append(new String(bytes, 0, length, StandardCharsets.UTF_8));
        }
    }

    /** The Message-ID as written (usually "&lt;...&gt;"), or null if the header has none. */
    String messageId() {
        if (inHeader) {
            finishField();
        }
        return messageId;
    }

    /** The number of Received fields in the header. */
    int receivedFields() {
        return received;
    }

    private void finishField() {
        if (messageId == null && field.length() > 11
                && field.substring(0, 11).toLowerCase(Locale.ROOT).equals("message-id:")) {
            String value = field.substring(11).strip();
            if (!value.isEmpty()) {
                messageId = value;
            }
        }
        field.setLength(0);
    }
}
