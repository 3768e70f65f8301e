package org.mxguard.mail;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * Who is on the other end of an inbound SMTP session, as far as mxguard knows.
 *
 * @param address the client's IP address
 * @param port the client's TCP port
 * @param name the reverse name confirmed by a forward lookup, or "unknown" (as Postfix logs it)
 * @param helo the HELO/EHLO argument, or null before the client sent one
 * @param protocol "SMTP" after HELO, "ESMTP" after EHLO, "ESMTPS"/"ESMTPSA" with TLS, as in Received
 * @param tls a description of the TLS session ("TLSv1.3 with cipher ..."), or null without TLS
 */
public record ClientInfo(InetAddress address, int port, String name, String helo, String protocol, String tls) {

    public static final String UNKNOWN = "unknown";

    public boolean nameVerified() {
        return !UNKNOWN.equals(name);
    }

    /** The address as Postfix writes it inside brackets: "192.0.2.1" or "2001:db8::1" (RFC 5952 form). */
    public String addressText() {
        String text = address.getHostAddress();
        if (!(address instanceof Inet6Address)) {
            return text;
        }
        int percent = text.indexOf('%');
        String[] groups = (percent < 0 ? text : text.substring(0, percent)).split(":");
        // RFC 5952 §4.2: the longest run of two or more zero groups (the first of equals) becomes "::"
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
        }
        if (bestStart < 0) {
            return String.join(":", groups);
        }
        return String.join(":", Arrays.copyOfRange(groups, 0, bestStart)) + "::"
                + String.join(":", Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
    }

    /** "name[address]" as in Postfix log lines. */
    public String nameAndAddress() {
        return name + "[" + addressText() + "]";
    }
}
