package org.mxguard.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mxguard.dns.MxHost;

/**
 * The names and addresses by which mxguard is known, so that it finds itself in an MX list
 * (RFC 5321 §5.1): the configured host name and extra names, the configured extra addresses, and
 * (unless turned off) every address of every local network interface, read once at start; and
 * the addresses and ports this host's own SMTP server listens on, so that a static route is checked
 * too.
 */
public final class LocalIdentity {

    private final Set<String> names;
    private final Set<InetAddress> addresses;
    private final Set<InetAddress> configured;
    private final Set<InetSocketAddress> listen;
    private final Set<Integer> ports;

    LocalIdentity(Set<String> names, Set<InetAddress> addresses, Set<InetAddress> configured,
            List<InetSocketAddress> listen, int smtpPort) {
        this.names = Set.copyOf(names);
        this.addresses = Set.copyOf(addresses);
        this.configured = Set.copyOf(configured);
        this.listen = Set.copyOf(listen);
        Set<Integer> p = new HashSet<>();
        p.add(smtpPort);
        listen.forEach(a -> p.add(a.getPort()));
        this.ports = Set.copyOf(p);
    }

    public static LocalIdentity from(DeliverySettings settings) {
        Set<String> names = new HashSet<>();
        names.add(canonical(settings.hostname()));
        for (String name : settings.ownNames()) {
            names.add(canonical(name));
        }
        Set<InetAddress> addresses = new HashSet<>(settings.ownAddresses());
        if (settings.interfaceAddresses()) {
            addresses.addAll(interfaceAddresses());
        }
        return new LocalIdentity(names, addresses, Set.copyOf(settings.ownAddresses()), settings.listen(),
                settings.smtpPort());
    }

    boolean isSelf(MxHost host) {
        if (names.contains(canonical(host.name()))) {
            return true;
        }
        for (InetAddress address : host.addresses()) {
            if (addresses.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a next hop given as address and port is this host: one of the listen addresses (a
     * wildcard listener stands for every address of this host), or a configured own address (NAT,
     * load balancer) at the SMTP port or a listen port, which may be forwarded here.
     */
    boolean isSelf(InetAddress address, int port) {
        for (InetSocketAddress l : listen) {
            if (l.getPort() == port && (l.getAddress().equals(address)
                    || l.getAddress().isAnyLocalAddress() && (addresses.contains(address) || address.isLoopbackAddress()))) {
                return true;
            }
        }
        return ports.contains(port) && configured.contains(address);
    }

    private static List<InetAddress> interfaceAddresses() {
        try {
            return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(NetworkInterface::inetAddresses)
                    // Scope ids would make fe80::1%eth0 differ from the fe80::1 DNS returns.
                    .map(LocalIdentity::withoutScope)
                    .toList();
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces to recognise this host in MX lists", e);
        }
    }

    private static InetAddress withoutScope(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
