package org.mxguard.dns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.mxguard.mail.Domain;

/**
 * Finds the mail exchangers of a domain as RFC 5321 §5.1 describes: MX records sorted by
 * preference, equal preferences in random order, the domain itself as implicit MX when it has no
 * MX records, and RFC 7505 Null MX as a permanent refusal. Each host's addresses are looked up too,
 * so the caller can recognise itself by address.
 */
public final class MxResolver {

    private final Dns dns;
    private final Random random;

    public MxResolver(Dns dns, Random random) {
        this.dns = dns;
        this.random = random;
    }

    public MxResult lookup(Domain domain) {
        return switch (dns.mx(domain.name())) {
            case MxRecords.Found found -> fromRecords(found.records());
            case MxRecords.NoRecords noRecords -> implicitMx(domain);
            case MxRecords.NoSuchDomain nx -> new MxResult.NoSuchDomain(nx.reason());
            case MxRecords.TemporaryFailure failure -> new MxResult.TemporaryFailure(failure.reason());
        };
    }

    private MxResult fromRecords(List<MxRecords.Record> records) {
        // RFC 7505 §3: a Null MX is the only MX record of its domain. A root target next to real
        // MX hosts is a misconfiguration; the real hosts still get the mail.
        List<MxRecords.Record> real = new ArrayList<>();
        for (MxRecords.Record r : records) {
            if (!r.target().isEmpty()) {
                real.add(r);
            }
        }
        if (real.isEmpty()) {
            return new MxResult.NullMx();
        }
        List<MxRecords.Record> shuffled = new ArrayList<>(real);
        Collections.shuffle(shuffled, random);
        // A stable sort keeps the shuffled order among equal preferences (RFC 5321 §5.1: randomise them).
        shuffled.sort(Comparator.comparingInt(MxRecords.Record::preference));
        List<MxHost> hosts = new ArrayList<>();
        for (MxRecords.Record r : shuffled) {
            hosts.add(withAddresses(r.target(), r.preference()));
        }
        return new MxResult.Found(hosts, false);
    }

    private MxResult implicitMx(Domain domain) {
        // RFC 5321 §5.1: no MX records, so the domain's own address record is an implicit MX of preference 0.
        return switch (dns.addresses(domain.name())) {
            case AddressResult.Found found ->
                    new MxResult.Found(List.of(new MxHost(domain.name(), 0, found.addresses(), null)), true);
            case AddressResult.NotFound notFound -> new MxResult.NoSuchDomain(notFound.reason());
            case AddressResult.TemporaryFailure failure -> new MxResult.TemporaryFailure(failure.reason());
        };
    }

    private MxHost withAddresses(String name, int preference) {
        return switch (dns.addresses(name)) {
            case AddressResult.Found found -> new MxHost(name, preference, found.addresses(), null);
            case AddressResult.NotFound notFound -> new MxHost(name, preference, List.of(), "permanent: " + notFound.reason());
            case AddressResult.TemporaryFailure failure ->
                    new MxHost(name, preference, List.of(), "temporary: " + failure.reason());
        };
    }
}
