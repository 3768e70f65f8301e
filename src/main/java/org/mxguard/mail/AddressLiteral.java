package org.mxguard.mail;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * RFC 5321 §4.1.3 address literals, the text between the brackets of {@code user@[192.0.2.1]}.
 * Parsed without any DNS lookup.
 */
final class AddressLiteral {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    /** General-address-literal = Standardized-tag ":" 1*dcontent. */
    private static final Pattern GENERAL = Pattern.compile("[A-Za-z0-9-]*[A-Za-z0-9]:[\\x21-\\x5a\\x5e-\\x7e]+");

    private AddressLiteral() {
    }

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
