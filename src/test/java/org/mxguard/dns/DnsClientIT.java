package org.mxguard.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;

/** MX, address, PTR and DNSBL lookups against a real dnsmasq on a loopback port. */
@Tag("peer")
class DnsClientIT {

    @TempDir
    static Path dir;

    private static Dnsmasq dnsmasq;
    private static DnsClient dns;

    @BeforeAll
    static void startDnsmasq() throws Exception {
        dnsmasq = Dnsmasq.start(dir, List.of(
                "mx-host=example.test,mx1.example.test,10",
                "mx-host=example.test,mx2.example.test,20",
                "mx-host=example.test,mx3.example.test,20",
                "mx-host=example.test,mx4.example.test,20",
                "mx-host=example.test,mx5.example.test,30",
                "host-record=mx1.example.test,192.0.2.1,2001:db8::1",
                "host-record=mx2.example.test,192.0.2.2",
                "host-record=mx3.example.test,192.0.2.3",
                "host-record=mx4.example.test,192.0.2.4",
                "host-record=mx5.example.test,192.0.2.5",
                // Implicit MX: no MX record, only an address.
                "host-record=implicit.test,198.51.100.7",
                // An MX target that is a CNAME, and a domain that is a CNAME.
                "mx-host=cnamed.test,alias.cnamed.test,5",
                "cname=alias.cnamed.test,real.cnamed.test",
                "host-record=real.cnamed.test,198.51.100.8",
                "cname=mail.alias.test,example.test",
                // RFC 7505 Null MX: dnsmasq serves "0 ." for mx-host with "." as the target.
                "mx-host=nullmx.test,.,0",
                "dns-rr=nullmx2.test,15,000000",
                "ptr-record=9.100.51.198.in-addr.arpa,good.ptr.test",
                "host-record=good.ptr.test,198.51.100.9",
                "ptr-record=10.100.51.198.in-addr.arpa,liar.ptr.test",
                "host-record=liar.ptr.test,203.0.113.99",
                "ptr-record=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa,v6.ptr.test",
                "host-record=v6.ptr.test,2001:db8::1",
                "host-record=2.2.0.192.dnsbl.test,127.0.0.2",
                "host-record=3.2.0.192.dnsbl.test,192.0.2.55",
                "host-record=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.dnsbl.test,127.0.0.10"));
        dns = new DnsClient(dnsmasq.settings());
    }

    @AfterAll
    static void stopDnsmasq() throws Exception {
        dnsmasq.close();
    }

    @Test
    void mxHostsSortedByPreferenceWithAddresses() {
        MxResult result = new MxResolver(dns, new Random(1)).lookup(Domain.parse("example.test"));
        assertThat(result).isInstanceOf(MxResult.Found.class);
        MxResult.Found found = (MxResult.Found) result;
        assertThat(found.implicit()).isFalse();
        assertThat(found.hosts()).extracting(MxHost::preference).containsExactly(10, 20, 20, 20, 30);
        assertThat(found.hosts().getFirst().name()).isEqualTo("mx1.example.test");
        assertThat(found.hosts().getFirst().addresses()).containsExactly(
                address("192.0.2.1"), address("2001:db8::1"));
        assertThat(found.hosts().getLast().name()).isEqualTo("mx5.example.test");
    }

    @Test
    void equalPreferencesComeInRandomOrder() {
        Set<List<String>> orders = new HashSet<>();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            MxResult.Found found = (MxResult.Found) new MxResolver(dns, random).lookup(Domain.parse("example.test"));
            orders.add(found.hosts().subList(1, 4).stream().map(MxHost::name).toList());
        }
        assertThat(orders).hasSizeGreaterThan(1);
        assertThat(orders).allSatisfy(order ->
                assertThat(order).containsExactlyInAnyOrder("mx2.example.test", "mx3.example.test", "mx4.example.test"));
    }

    @Test
    void domainWithoutMxIsItsOwnImplicitMx() {
        MxResult.Found found = (MxResult.Found) new MxResolver(dns, new Random()).lookup(Domain.parse("implicit.test"));
        assertThat(found.implicit()).isTrue();
        assertThat(found.hosts()).singleElement().satisfies(host -> {
            assertThat(host.name()).isEqualTo("implicit.test");
            assertThat(host.preference()).isZero();
            assertThat(host.addresses()).containsExactly(address("198.51.100.7"));
        });
    }

    @Test
    void cnameChainsAreFollowedForMxTargetsAndDomains() {
        MxResult.Found viaTarget = (MxResult.Found) new MxResolver(dns, new Random()).lookup(Domain.parse("cnamed.test"));
        assertThat(viaTarget.hosts().getFirst().addresses()).containsExactly(address("198.51.100.8"));
        MxResult.Found viaDomain = (MxResult.Found) new MxResolver(dns, new Random()).lookup(
                Domain.parse("mail.alias.test"));
        assertThat(viaDomain.hosts().getFirst().name()).isEqualTo("mx1.example.test");
    }

    @Test
    void nullMxIsAPermanentRefusal() {
        assertThat(new MxResolver(dns, new Random()).lookup(Domain.parse("nullmx.test")))
                .isInstanceOf(MxResult.NullMx.class);
        assertThat(new MxResolver(dns, new Random()).lookup(Domain.parse("nullmx2.test")))
                .isInstanceOf(MxResult.NullMx.class);
    }

    @Test
    void nxdomainIsPermanent() {
        assertThat(new MxResolver(dns, new Random()).lookup(Domain.parse("nowhere.test")))
                .isInstanceOf(MxResult.NoSuchDomain.class);
    }

    @Test
    void servfailIsTemporary() throws Exception {
        try (BrokenDnsServer server = BrokenDnsServer.servfail()) {
            Dns broken = new DnsClient(server.settings(Duration.ofSeconds(2)));
            MxResult result = new MxResolver(broken, new Random()).lookup(Domain.parse("example.test"));
            assertThat(result).isInstanceOf(MxResult.TemporaryFailure.class);
            assertThat(((MxResult.TemporaryFailure) result).reason()).contains("SERVFAIL");
        }
    }

    @Test
    void timeoutIsTemporary() throws Exception {
        try (BrokenDnsServer server = BrokenDnsServer.silent()) {
            Dns silent = new DnsClient(server.settings(Duration.ofMillis(300)));
            long start = System.nanoTime();
            MxResult result = new MxResolver(silent, new Random()).lookup(Domain.parse("example.test"));
            assertThat(result).isInstanceOf(MxResult.TemporaryFailure.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void clientNameNeedsForwardConfirmation() {
        DnsClientNameLookup names = new DnsClientNameLookup(dns, Duration.ofSeconds(3));
        assertThat(names.verifiedName(address("198.51.100.9"))).isEqualTo("good.ptr.test");
        assertThat(names.verifiedName(address("198.51.100.10"))).isEqualTo(ClientInfo.UNKNOWN);
        assertThat(names.verifiedName(address("198.51.100.11"))).isEqualTo(ClientInfo.UNKNOWN);
        assertThat(names.verifiedName(address("2001:db8::1"))).isEqualTo("v6.ptr.test");
    }

    @Test
    void clientNameLookupGivesUpAfterItsTimeout() throws Exception {
        try (BrokenDnsServer server = BrokenDnsServer.silent()) {
            DnsClientNameLookup names = new DnsClientNameLookup(
                    new DnsClient(server.settings(Duration.ofSeconds(10))), Duration.ofMillis(200));
            long start = System.nanoTime();
            assertThat(names.verifiedName(address("198.51.100.9"))).isEqualTo(ClientInfo.UNKNOWN);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void dnsblAnswersOnlyIn127Count() {
        DnsblClient dnsbl = new DnsblClient(dns);
        assertThat(dnsbl.lookup("dnsbl.test", address("192.0.2.2"))).containsExactly(address("127.0.0.2"));
        assertThat(dnsbl.lookup("dnsbl.test", address("192.0.2.3"))).isEmpty();
        assertThat(dnsbl.lookup("dnsbl.test", address("192.0.2.4"))).isEmpty();
        assertThat(dnsbl.lookup("dnsbl.test.", address("2001:db8::1"))).containsExactly(address("127.0.0.10"));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
