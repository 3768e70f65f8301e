package org.mxguard.dns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link Dns} on dnsjava, the only class that imports {@code org.xbill.DNS}.
 *
 * <p>Every lookup uses a fresh cache and neither the search path nor /etc/hosts: mxguard routes
 * mail by what DNS says now, and a name is always absolute. dnsjava's {@link Lookup} follows CNAME
 * chains and reports SERVFAIL, timeouts and network errors as {@code TRY_AGAIN}.
 */
public final class DnsClient implements Dns {

    private final Resolver resolver;

    public DnsClient(DnsSettings settings) {
        List<InetSocketAddress> servers = settings.servers().isEmpty()
                ? ResolverConfig.getCurrentConfig().servers()
                : settings.servers();
        List<Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(settings.timeout());
            resolvers.add(simple);
        }
        if (resolvers.isEmpty()) {
            throw new IllegalArgumentException("no DNS servers configured and none found in the system configuration");
        }
        ExtendedResolver extended = new ExtendedResolver(resolvers);
        extended.setTimeout(settings.timeout());
        extended.setRetries(settings.retries());
        extended.setLoadBalance(false);
        this.resolver = extended;
    }

    @Override
    public MxRecords mx(String name) {
        Lookup lookup;
        try {
            lookup = lookup(absolute(name), Type.MX);
        } catch (TextParseException e) {
            return new MxRecords.NoSuchDomain("not a valid domain name: " + name);
        }
        Record[] answers = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<MxRecords.Record> records = new ArrayList<>();
                for (Record r : answers) {
                    if (r instanceof MXRecord mx) {
                        records.add(new MxRecords.Record(mx.getPriority(), text(mx.getTarget())));
                    }
                }
                yield records.isEmpty() ? new MxRecords.NoRecords() : new MxRecords.Found(records);
            }
            case Lookup.TYPE_NOT_FOUND -> new MxRecords.NoRecords();
            case Lookup.HOST_NOT_FOUND -> new MxRecords.NoSuchDomain(
                    "Host or domain name not found. Name service error for name=" + name + " type=MX: Host not found");
            default -> new MxRecords.TemporaryFailure(
                    "Host or domain name not found. Name service error for name=" + name + " type=MX: "
                            + lookup.getErrorString());
        };
    }

    @Override
    public AddressResult addresses(String name) {
        AddressResult v4 = addresses(name, Type.A);
        if (v4 instanceof AddressResult.TemporaryFailure || isNxdomain(v4)) {
            return v4;
        }
        AddressResult v6 = addresses(name, Type.AAAA);
        List<InetAddress> all = new ArrayList<>();
        if (v4 instanceof AddressResult.Found found) {
            all.addAll(found.addresses());
        }
        if (v6 instanceof AddressResult.Found found) {
            all.addAll(found.addresses());
        }
        if (!all.isEmpty()) {
            return new AddressResult.Found(all);
        }
        return v6 instanceof AddressResult.TemporaryFailure ? v6 : v4;
    }

    @Override
    public AddressResult ipv4(String name) {
        return addresses(name, Type.A);
    }

    @Override
    public NameResult reverse(InetAddress address) {
        Name name = ReverseMap.fromAddress(address);
        Lookup lookup = lookup(name, Type.PTR);
        Record[] answers = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<String> names = new ArrayList<>();
                for (Record r : answers) {
                    if (r instanceof PTRRecord ptr) {
                        names.add(text(ptr.getTarget()));
                    }
                }
                yield names.isEmpty() ? new NameResult.NotFound("no PTR record") : new NameResult.Found(names);
            }
            case Lookup.TYPE_NOT_FOUND, Lookup.HOST_NOT_FOUND -> new NameResult.NotFound(lookup.getErrorString());
            default -> new NameResult.TemporaryFailure(lookup.getErrorString());
        };
    }

    private boolean isNxdomain(AddressResult result) {
        return result instanceof AddressResult.NotFound notFound && notFound.reason().endsWith("Host not found");
    }

    private AddressResult addresses(String name, int type) {
        Lookup lookup;
        try {
            lookup = lookup(absolute(name), type);
        } catch (TextParseException e) {
            return new AddressResult.NotFound("not a valid host name: " + name);
        }
        Record[] answers = lookup.run();
        String what = "Name service error for name=" + name + " type=" + Type.string(type) + ": ";
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<InetAddress> found = new ArrayList<>();
                for (Record r : answers) {
                    if (r instanceof ARecord a) {
                        found.add(a.getAddress());
                    } else if (r instanceof AAAARecord aaaa) {
                        found.add(aaaa.getAddress());
                    }
                }
                yield found.isEmpty() ? new AddressResult.NotFound(what + "Host found but no data record of requested type")
                        : new AddressResult.Found(found);
            }
            case Lookup.TYPE_NOT_FOUND -> new AddressResult.NotFound(what + "Host found but no data record of requested type");
            case Lookup.HOST_NOT_FOUND -> new AddressResult.NotFound(what + "Host not found");
            default -> new AddressResult.TemporaryFailure(what + lookup.getErrorString());
        };
    }

    private Lookup lookup(Name name, int type) {
        Lookup lookup = new Lookup(name, type, DClass.IN);
        lookup.setResolver(resolver);
        // A null cache makes dnsjava use a temporary one for this lookup only.
        lookup.setCache(null);
        lookup.setSearchPath(List.<Name>of());
        lookup.setHostsFileParser(null);
        return lookup;
    }

    private static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }

    private static String text(Name name) {
        return name.equals(Name.root) ? "" : name.toString(true).toLowerCase(Locale.ROOT);
    }
}
