package org.mxguard.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.HostName;

/**
 * {@link ClientNameLookup} as Postfix's smtpd does it: the PTR names of the address, and the first
 * of them that is a valid host name ({@link HostName}, Postfix's valid_hostname) and whose A/AAAA
 * records contain the address is the client's name. No PTR, no such name, a DNS failure or the
 * overall time limit passing all give "unknown".
 */
public final class DnsClientNameLookup implements ClientNameLookup {

    private static final int MAX_NAMES = 5;

    private final Dns dns;
    private final long timeoutMillis;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public DnsClientNameLookup(Dns dns, Duration timeout) {
        this.dns = dns;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public String verifiedName(InetAddress address) {
        Future<String> future = executor.submit(() -> confirm(address));
        try {
            return future.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            future.cancel(true);
            return ClientInfo.UNKNOWN;
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            return ClientInfo.UNKNOWN;
        }
    }

    private String confirm(InetAddress address) {
        if (!(dns.reverse(address) instanceof NameResult.Found found)) {
            return ClientInfo.UNKNOWN;
        }
        List<String> names = found.names();
        for (String name : names.subList(0, Math.min(names.size(), MAX_NAMES))) {
            // the address's owner writes its PTR: only a real host name may stand for the client
            if (!HostName.isValid(name)) {
                continue;
            }
            if (dns.addresses(name) instanceof AddressResult.Found forward && forward.addresses().contains(address)) {
                return name;
            }
        }
        return ClientInfo.UNKNOWN;
    }
}
