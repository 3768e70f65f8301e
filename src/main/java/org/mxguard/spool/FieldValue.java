package org.mxguard.spool;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The escaping of values in spool file headers: every value becomes one token of printable,
 * space-free ASCII, so a header line can never be split, joined or misread whatever a client sent
 * (quoted local parts with spaces, UTF-8 under SMTPUTF8, control characters).
 *
 * <p>Octets 0x21..0x7E other than '%' stand for themselves; every other character is written as
 * its UTF-8 octets, each as '%' and two upper-case hex digits (as in RFC 3986 §2.1).
 */
final class FieldValue {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private FieldValue() {
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0x20 && c < 0x7F && c != '%') {
                out.append(c);
                continue;
            }
            int codePoint = value.codePointAt(i);
            if (Character.isSurrogate(c) && !Character.isSupplementaryCodePoint(codePoint)) {
                throw new IllegalArgumentException("unpaired surrogate at index " + i + " cannot be stored");
            }
            if (Character.isSupplementaryCodePoint(codePoint)) {
                i++;
            }
            for (byte b : Character.toString(codePoint).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /** The inverse of {@link #escape}; throws on anything {@code escape} would not have written. */
    static String unescape(String text) throws SpoolFormatException {
        if (text.indexOf('%') < 0) {
            checkPlain(text);
            return text;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new SpoolFormatException("truncated %-escape in value: " + text);
                }
                int high = Character.digit(text.charAt(i + 1), 16);
                int low = Character.digit(text.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    throw new SpoolFormatException("bad %-escape in value: " + text);
                }
                bytes.write(high << 4 | low);
                i += 2;
            } else if (c > 0x20 && c < 0x7F) {
                bytes.write(c);
            } else {
                throw new SpoolFormatException("unescaped character in value: " + text);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SpoolFormatException("value is not UTF-8 after unescaping: " + text);
        }
    }

    private static void checkPlain(String text) throws SpoolFormatException {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7F) {
                throw new SpoolFormatException("unescaped character in value: " + text);
            }
        }
    }
}
