package org.mxguard.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks a DNS blocklist about a client (RFC 5782 §2): the address's octets (IPv4) or nibbles
 * (IPv6) reversed, under the list's zone, looked up as an A record. Only answers in 127.0.0.0/8
 * count (RFC 5782 §2.1); anything else is a broken or hijacked list and is ignored. A failed
 * lookup is an empty list: a blocklist that does not answer lists nobody.
 */
public final class DnsblClient {

    private final Dns dns;

    public DnsblClient(Dns dns) {
        this.dns = dns;
    }

    /** The list's answers for the client, empty when it is not listed. */
    public List<InetAddress> lookup(String zone, InetAddress client) {
        String name = queryName(zone, client);
        if (!(dns.ipv4(name) instanceof AddressResult.Found found)) {
            return List.of();
        }
        List<InetAddress> listed = new ArrayList<>();
        for (InetAddress answer : found.addresses()) {
            if (answer instanceof Inet4Address && (answer.getAddress()[0] & 0xff) == 127) {
                listed.add(answer);
            }
        }
        return List.copyOf(listed);
    }

    /** "2.0.0.192.zen.example" for 192.0.2.0; 32 nibbles for IPv6 (RFC 5782 §2.4). */
    static String queryName(String zone, InetAddress client) {
        String z = zone.endsWith(".") ? zone.substring(0, zone.length() - 1) : zone;
        byte[] bytes = client.getAddress();
        StringBuilder name = new StringBuilder();
        if (client instanceof Inet6Address) {
            for (int i = bytes.length - 1; i >= 0; i--) {
                int b = bytes[i] & 0xff;
                name.append(Character.forDigit(b & 0xf, 16)).append('.')
                        .append(Character.forDigit(b >> 4, 16)).append('.');
            }
        } else {
            for (int i = bytes.length - 1; i >= 0; i--) {
                name.append(bytes[i] & 0xff).append('.');
            }
        }
        return name.append(z).toString();
    }
}
