package org.mxguard.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The JVM's name resolver in the tests (registered in META-INF/services). It hands every lookup to
 * the JDK's own resolver, except while {@link #hostsOnly} is on: then only /etc/hosts answers and
 * any other name is unknown at once. A fuzz target that feeds arbitrary text to code that resolves
 * host names turns it on, so no made-up name becomes a DNS query leaving the machine.
 */
public final class HostsFileResolver extends InetAddressResolverProvider {

    private static volatile boolean hostsOnly;

    /** Turns hosts-file-only resolution on or off for the whole JVM; returns the previous state. */
    public static boolean hostsOnly(boolean on) {
        boolean was = hostsOnly;
        hostsOnly = on;
        return was;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        Map<String, List<InetAddress>> hosts = readHosts(Path.of("/etc/hosts"));
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!hostsOnly) {
                    return builtin.lookupByName(host, policy);
                }
                List<InetAddress> found = hosts.get(host.toLowerCase(Locale.ROOT));
                if (found == null) {
                    throw new UnknownHostException(host + ": not in /etc/hosts (the test resolves nothing else)");
                }
                return found.stream();
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                if (!hostsOnly) {
                    return builtin.lookupByAddress(addr);
                }
                InetAddress address = InetAddress.getByAddress(addr);
                for (Map.Entry<String, List<InetAddress>> e : hosts.entrySet()) {
                    if (e.getValue().contains(address)) {
                        return e.getKey();
                    }
                }
                throw new UnknownHostException(address + ": not in /etc/hosts (the test resolves nothing else)");
            }
        };
    }

    @Override
    public String name() {
        return "mxguard-test-hosts-file";
    }

    private static Map<String, List<InetAddress>> readHosts(Path file) {
        Map<String, List<InetAddress>> hosts = new HashMap<>();
        hosts.computeIfAbsent("localhost", k -> new ArrayList<>()).add(InetAddress.getLoopbackAddress());
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return hosts;
        }
        for (String line : lines) {
            String[] words = line.replaceFirst("#.*", "").trim().split("\\s+");
            if (words.length < 2) {
                continue;
            }
            InetAddress address;
            try {
                address = InetAddress.ofLiteral(words[0]);
            } catch (IllegalArgumentException notAnAddress) {
                continue;
            }
            for (int i = 1; i < words.length; i++) {
                List<InetAddress> list = hosts.computeIfAbsent(words[i].toLowerCase(Locale.ROOT), k -> new ArrayList<>());
                if (!list.contains(address)) {
                    list.add(address);
                }
            }
        }
        return hosts;
    }
}
