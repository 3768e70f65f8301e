package org.mxguard.delivery;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One address to deliver to.
 *
 * @param hostName the MX name (or static route host) it came from, as logs and TLS verification use it
 * @param address the address to connect to
 * @param port the TCP port
 */
record Target(String hostName, InetAddress address, int port) {

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    /** "mx.example[192.0.2.1]:25" as Postfix's relay= field. */
    String relay() {
        return host() + ":" + port;
    }

    /** "mx.example[192.0.2.1]" as Postfix's reasons name a host. */
    String host() {
        // Compressed IPv6 text (RFC 5952), as Postfix writes it: [2001:db8::1].
        return hostName + "[" + InetAddresses.toAddrString(address) + "]";
    }
}
