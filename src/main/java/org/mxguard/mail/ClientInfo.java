package org.mxguard.mail;

import java.net.InetAddress;

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

    /** The address as Postfix writes it inside brackets: "192.0.2.1" or "2001:db8::1". */
    public String addressText() {
        return address.getHostAddress();
    }

    /** "name[address]" as in Postfix log lines. */
    public String nameAndAddress() {
        return name + "[" + addressText() + "]";
    }
}
