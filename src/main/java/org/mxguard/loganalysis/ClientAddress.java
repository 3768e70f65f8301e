package org.mxguard.loganalysis;

/**
 * A client as the MTA logged it: the verified reverse name (null when there was none) and the
 * address. Parsed strictly, so text that merely looks like a client cannot pass for one: a name
 * holds only host-name characters, an address only address characters.
 *
 * <p>{@link #parsePostfix} and its character classes are mirrored in {@link BlockParser} (its
 * {@code client} and {@code KINDS}): a change here is made there too, and {@code BlockParserTest}
 * compares the two.
 */
record ClientAddress(String name, String ip) {

    /**
     * Sendmail's {@code name [ip]}, {@code [ip]}, {@code name [IPv6:ip]}, maybe with
     * {@code (may be forged)} after it, and {@code ident@name [ip]} when sendmail's IDENT lookup
     * answered. Read from the end of the field, where sendmail puts the address: the last bracket
     * pair is the address, whatever the name before it holds.
     */
    static ClientAddress parseSendmail(String s, int from, int to) {
        int end = to;
        while (end > from && s.charAt(end - 1) == ' ') {
            end--;
        }
        if (s.startsWith("(may be forged)", end - 15) && end - 15 >= from) {
            end -= 15;
            while (end > from && s.charAt(end - 1) == ' ') {
                end--;
            }
        }
        if (end <= from || s.charAt(end - 1) != ']') {
            return null;
        }
        int open = s.lastIndexOf('[', end - 1);
        if (open < from) {
            return null;
        }
        String name = null;
        if (open > from && s.charAt(open - 1) == '@') {
            // "user@[ip]": IDENT answered, the address has no name.
            name = null;
        } else if (open > from) {
            if (s.charAt(open - 1) != ' ') {
                return null;
            }
            // RFC 1413 IDENT: sendmail writes the remote user before the name, "user@host".
            int at = s.lastIndexOf('@', open - 1);
            int nameStart = at >= from ? at + 1 : from;
            name = hostName(s, nameStart, open - 1);
            if (name == null) {
                return null;
            }
        }
        String ip = address(s, open + 1, end - 1);
        return ip == null ? null : new ClientAddress(name, ip);
    }

    /**
     * Postfix's {@code name[ip]} starting at {@code from}; the end index is {@code ip} closing
     * bracket + 1, available from {@link #postfixEnd}. Postfix writes {@code unknown} for no name.
     *
     * <p>The address is the <em>last</em> bracket pair of the field, which ends at the first space
     * (after {@code ]:} in a reject line, at the end of a connect line): that is where Postfix puts
     * it. A reverse name is not to be trusted, and one like {@code a.example[198.51.100.25].evil.example}
     * would otherwise pass its bracketed part off as the client. A name that is not a host name is
     * dropped (null); the address still counts.
     */
    static ClientAddress parsePostfix(String s, int from) {
        int close = postfixClose(s, from);
        if (close < 0) {
            return null;
        }
        int open = s.lastIndexOf('[', close);
        if (open < from) {
            return null;
        }
        String ip = address(s, open + 1, close);
        if (ip == null) {
            return null;
        }
        String name = open > from ? hostName(s, from, open) : null;
        return new ClientAddress("unknown".equals(name) ? null : name, ip);
    }

    /** Index just past the {@code ]} of a Postfix {@code name[ip]} that starts at {@code from}. */
    static int postfixEnd(String s, int from) {
        return postfixClose(s, from) + 1;
    }

    /** The last {@code ]} of the field starting at {@code from}, or -1. */
    private static int postfixClose(String s, int from) {
        int end = s.indexOf(' ', from);
        int close = s.lastIndexOf(']', (end < 0 ? s.length() : end) - 1);
        return close >= from ? close : -1;
    }

    private static String hostName(String s, int from, int to) {
        if (to <= from || to - from > 253) {
            return null;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '-' || c == '_';
            if (!ok) {
                return null;
            }
        }
        String name = s.substring(from, to);
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static String address(String s, int from, int to) {
        if (s.startsWith("IPv6:", from)) {
            from += 5;
        }
        if (to <= from || to - from > 45) {
            return null;
        }
        boolean colon = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == ':') {
                colon = true;
            } else if (!(c >= '0' && c <= '9' || c == '.' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return null;
            }
        }
        String ip = s.substring(from, to);
        if (!colon && ip.indexOf('.') < 0) {
            return null;
        }
        return colon ? ip.toLowerCase(java.util.Locale.ROOT) : ip;
    }
}
