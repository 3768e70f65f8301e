package org.mxguard.loganalysis;

/**
 * A client as the MTA logged it: the verified reverse name (null when there was none) and the
 * address. Parsed strictly, so text that merely looks like a client cannot pass for one: a name
 * holds only host-name characters, an address only address characters.
 */
record ClientAddress(String name, String ip) {

    /** Sendmail's {@code name [ip]}, {@code [ip]}, {@code name [IPv6:ip]}, maybe with {@code (may be forged)}. */
    static ClientAddress parseSendmail(String s, int from, int to) {
        int open = s.indexOf('[', from);
        if (open < 0 || open >= to) {
            return null;
        }
        int close = s.indexOf(']', open);
        if (close < 0 || close >= to) {
            return null;
        }
        String name = null;
        if (open > from) {
            if (s.charAt(open - 1) != ' ') {
                return null;
            }
            name = hostName(s, from, open - 1);
            if (name == null) {
                return null;
            }
        }
        String ip = address(s, open + 1, close);
        if (ip == null) {
            return null;
        }
        String rest = s.substring(close + 1, to).trim();
        if (!rest.isEmpty() && !rest.equals("(may be forged)")) {
            return null;
        }
        return new ClientAddress(name, ip);
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
