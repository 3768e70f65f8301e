package org.mxguard.mail;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.text.Normalizer;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses the RFC 5321 §4.1.2 {@code Reverse-path} and {@code Forward-path} of MAIL and RCPT,
 * with the RFC 6531 §3.3 extension to UTF-8 when the transaction uses SMTPUTF8.
 *
 * <pre>
 * Path        = "&lt;" [ A-d-l ":" ] Mailbox "&gt;"
 * A-d-l       = At-domain *( "," At-domain )       ; source route, ignored (RFC 5321 §4.1.1.3, appendix C)
 * Mailbox     = Local-part "@" ( Domain / address-literal )
 * Local-part  = Dot-string / Quoted-string
 * </pre>
 *
 * <p>The parser never guesses: what is not in the grammar is a {@link Result.Invalid}. The only
 * leniency is the one every MTA has: a path without angle brackets is read as if it had them
 * (Postfix's {@code strict_rfc821_envelopes = no}), because real clients still send it.
 */
public final class PathParser {

    private final String text;
    private final boolean utf8;
    private int pos;

    private PathParser(String text, boolean utf8) {
        this.text = text;
        this.utf8 = utf8;
    }

    /** What a path turned out to be. */
    public sealed interface Result {

        /** {@code <>}: the null reverse-path (only valid in MAIL). */
        record NullPath() implements Result {
        }

        /**
         * A mailbox.
         *
         * @param localPart the local part exactly as sent (quotes included)
         * @param domainText the domain or address literal exactly as sent
         * @param domain the canonical domain; for an address literal a {@link Domain} holding the
         *     literal in brackets, lower case ("[192.0.2.1]", "[ipv6:2001:db8::1]")
         * @param addressLiteral true if the domain is an address literal
         * @param route the source-route domains, as sent; they never decide anything
         */
        record Mailbox(String localPart, String domainText, Domain domain, boolean addressLiteral,
                List<String> route) implements Result {

            /** The mailbox as sent, without route or brackets: what replies and logs quote. */
            public String text() {
                return localPart + "@" + domainText;
            }

            /**
             * True if the local part holds a routing character: {@code %} (the "percent hack"),
             * {@code !} (UUCP bang path) or a quoted {@code @}. A relay that honoured them would
             * forward to another domain. With SMTPUTF8 (RFC 6531) a local part may also hold their
             * compatibility forms (full-width {@code ％ ！ ＠}, small {@code ﹪ ﹗ ﹫}), which a
             * downstream system that normalises to NFKC turns into the ASCII ones: they count too.
             */
            public boolean hasRoutingCharacters() {
                String folded = localPart.chars().allMatch(c -> c < 0x80) ? localPart
                        : Normalizer.normalize(localPart, Normalizer.Form.NFKC);
                return folded.indexOf('%') >= 0 || folded.indexOf('!') >= 0 || folded.indexOf('@') >= 0;
            }

            public MailAddress address() {
                return new MailAddress(localPart, domain);
            }
        }

        /**
         * A local part without a domain, which RFC 5321 §4.1.1.3 allows only for "postmaster".
         *
         * @param localPart as sent
         */
        record LocalOnly(String localPart) implements Result {

            public boolean isPostmaster() {
                return localPart.equalsIgnoreCase("postmaster");
            }
        }

        /**
         * Not a path.
         *
         * @param reason why, for the reply text
         */
        record Invalid(String reason) implements Result {
        }
    }

    /**
     * Parses a path that makes up the whole of {@code text}.
     *
     * @param text the path, "&lt;user@example.org&gt;"
     * @param utf8 true if UTF-8 is allowed in the local part and domain (SMTPUTF8)
     */
    public static Result parse(String text, boolean utf8) {
        PathParser parser = new PathParser(text, utf8);
        Result result = parser.path();
        if (!(result instanceof Result.Invalid) && parser.pos != text.length()) {
            return new Result.Invalid("unexpected text after the address");
        }
        return result;
    }

    /**
     * The length of the path at the start of {@code text} (up to the closing bracket), so the caller
     * can split the path from the ESMTP parameters after it; empty if there is no closing bracket.
     */
    public static Optional<Integer> pathLength(String text) {
        if (!text.startsWith("<")) {
            int space = text.indexOf(' ');
            return Optional.of(space < 0 ? text.length() : space);
        }
        boolean quoted = false;
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return Optional.of(i + 1);
            }
        }
        return Optional.empty();
    }

    private Result path() {
        boolean bracketed = peek('<');
        if (bracketed) {
            pos++;
            if (peek('>')) {
                pos++;
                return new Result.NullPath();
            }
        } else if (text.isEmpty()) {
            return new Result.Invalid("empty address");
        }
        List<String> route = List.of();
        if (peek('@')) {
            int start = pos;
            while (peek('@')) {
                pos++;
                if (domain() == null) {
                    return new Result.Invalid("bad source route");
                }
                if (!peek(',')) {
                    break;
                }
                pos++;
            }
            if (!peek(':')) {
                return new Result.Invalid("bad source route");
            }
            route = List.of(text.substring(start, pos).split(","));
            pos++;
        }
        int localStart = pos;
        if (!localPart()) {
            return new Result.Invalid("bad local part");
        }
        String local = text.substring(localStart, pos);
        Result result;
        if (peek('@')) {
            pos++;
            result = domainPart(local, route);
        } else if (route.isEmpty()) {
            result = new Result.LocalOnly(local);
        } else {
            return new Result.Invalid("a source route needs a mailbox with a domain");
        }
        if (result instanceof Result.Invalid) {
            return result;
        }
        if (bracketed) {
            if (!peek('>')) {
                return new Result.Invalid("missing closing angle bracket");
            }
            pos++;
        }
        return result;
    }

    private Result domainPart(String local, List<String> route) {
        int start = pos;
        if (peek('[')) {
            int close = text.indexOf(']', pos);
            if (close < 0) {
                return new Result.Invalid("unterminated address literal");
            }
            String literal = text.substring(pos + 1, close);
            if (!AddressLiteral.isValid(literal)) {
                return new Result.Invalid("bad address literal");
            }
            pos = close + 1;
            String sent = text.substring(start, pos);
            return new Result.Mailbox(local, sent, new Domain(AddressLiteral.canonical(literal)), true, route);
        }
        Domain domain = domain();
        if (domain == null) {
            return new Result.Invalid("bad domain");
        }
        return new Result.Mailbox(local, text.substring(start, pos), domain, false, route);
    }

    /** Domain = sub-domain *("." sub-domain); U-labels only with SMTPUTF8. Null if none here. */
    private Domain domain() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (isLetDig(c) || c == '-' || c == '.' || (utf8 && c >= 0x80)) {
                pos++;
            } else {
                break;
            }
        }
        String name = text.substring(start, pos);
        if (name.isEmpty() || name.startsWith(".") || name.contains("..")) {
            return null;
        }
        for (String label : name.split("\\.")) {
            if (label.startsWith("-") || label.endsWith("-")) {
                return null;
            }
        }
        try {
            return Domain.parse(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private boolean localPart() {
        if (peek('"')) {
            pos++;
            while (pos < text.length()) {
                char c = text.charAt(pos);
                if (c == '"') {
                    pos++;
                    return true;
                }
                if (c == '\\') {
                    // RFC 5321: quoted-pairSMTP = %d92 %d32-126
                    if (pos + 1 >= text.length() || !isPrintable(text.charAt(pos + 1))) {
                        return false;
                    }
                    pos += 2;
                } else if (isPrintable(c) || (utf8 && c >= 0x80)) {
                    pos++;
                } else {
                    return false;
                }
            }
            return false;
        }
        int start = pos;
        boolean atomNeeded = true;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (isAtext(c)) {
                atomNeeded = false;
                pos++;
            } else if (c == '.' && !atomNeeded) {
                atomNeeded = true;
                pos++;
            } else {
                break;
            }
        }
        return pos > start && !atomNeeded && pos - start <= 64 * 4;
    }

    private boolean isAtext(char c) {
        // RFC 5322 §3.2.3 atext, plus UTF-8 under RFC 6531 §3.3
        return isLetDig(c) || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0 || (utf8 && c >= 0x80);
    }

    private static boolean isLetDig(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static boolean isPrintable(char c) {
        return c >= 32 && c <= 126;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    /**
     * RFC 5321 §4.1.3 address literals, the text between the brackets of {@code user@[192.0.2.1]}.
     * Parsed without any DNS lookup.
     */
    private static final class AddressLiteral {

        private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
        private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
        /** General-address-literal = Standardized-tag ":" 1*dcontent. */
        private static final Pattern GENERAL = Pattern.compile("[A-Za-z0-9-]*[A-Za-z0-9]:[\\x21-\\x5a\\x5e-\\x7e]+");

        static boolean isValid(String literal) {
            if (IPV4.matcher(literal).matches()) {
                return true;
            }
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                return ipv6(literal.substring(5)) != null;
            }
            return GENERAL.matcher(literal).matches();
        }

        /** "[192.0.2.1]", "[ipv6:2001:db8:0:0:0:0:0:1]" or the general literal in lower case, with brackets. */
        static String canonical(String literal) {
            if (IPV4.matcher(literal).matches()) {
                return "[" + Inet4Address.ofLiteral(literal).getHostAddress() + "]";
            }
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                return "[ipv6:" + ipv6(literal.substring(5)).getHostAddress() + "]";
            }
            return "[" + literal.toLowerCase(Locale.ROOT) + "]";
        }

        private static InetAddress ipv6(String text) {
            if (!IPV6_CHARS.matcher(text).matches()) {
                return null;
            }
            try {
                return Inet6Address.ofLiteral(text);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }
}
