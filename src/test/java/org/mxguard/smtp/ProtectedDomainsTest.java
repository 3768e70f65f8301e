package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.PathParser;

class ProtectedDomainsTest {

    private final ProtectedDomains domains = ProtectedDomains.of(List.of("example.org", ".sub.example.net",
            "Bücher.Example.", "[192.0.2.1]"));

    @Test
    void exactEntriesMatchOnlyThemselves() {
        assertThat(domains.contains(Domain.parse("EXAMPLE.org."))).isTrue();
        assertThat(domains.contains(Domain.parse("www.example.org"))).isFalse();
        assertThat(domains.contains(Domain.parse("badexample.org"))).isFalse();
    }

    @Test
    void dotEntriesMatchTheWholeSubtreeButNotTheNameItself() {
        assertThat(domains.contains(Domain.parse("a.sub.example.net"))).isTrue();
        assertThat(domains.contains(Domain.parse("a.b.sub.example.net"))).isTrue();
        assertThat(domains.contains(Domain.parse("sub.example.net"))).isFalse();
        assertThat(domains.contains(Domain.parse("xsub.example.net"))).isFalse();
    }

    @Test
    void idnEntriesMatchBothForms() {
        assertThat(domains.contains(Domain.parse("xn--bcher-kva.example"))).isTrue();
        assertThat(domains.contains(Domain.parse("bücher.example"))).isTrue();
    }

    @Test
    void addressLiteralsOnlyWhenConfigured() {
        RelayControl relay = new RelayControl(TestServer.settings().withProtectedDomains(List.of("example.org",
                "[192.0.2.1]")));
        assertThat(relay.check(PathParser.parse("<u@[192.0.2.1]>", false)))
                .isInstanceOf(RelayControl.Verdict.Protected.class);
        assertThat(relay.check(PathParser.parse("<u@[192.0.2.2]>", false)))
                .isInstanceOf(RelayControl.Verdict.Denied.class);
    }

    @Test
    void badEntriesAreNamed() {
        assertThatThrownBy(() -> ProtectedDomains.of(List.of("example.org", "exa mple.org")))
                .hasMessageContaining("\"exa mple.org\"");
    }

    @Test
    void postmasterWithoutDomainIsDeniedUnlessConfigured() {
        RelayControl closed = new RelayControl(TestServer.settings());
        assertThat(closed.check(PathParser.parse("<postmaster>", false)))
                .isInstanceOf(RelayControl.Verdict.Denied.class);
        RelayControl open = new RelayControl(TestServer.settings().withRelayControl(550, "example.org", false));
        assertThat(open.check(PathParser.parse("<POSTMASTER>", false)))
                .isEqualTo(new RelayControl.Verdict.Protected(MailAddress.of("postmaster", "example.org")));
        assertThat(open.check(PathParser.parse("<root>", false))).isInstanceOf(RelayControl.Verdict.Denied.class);
    }

    @Test
    void postmasterDomainMustBeProtected() {
        assertThatThrownBy(() -> new RelayControl(TestServer.settings().withRelayControl(550, "other.example", false)))
                .hasMessageContaining("postmasterDomain");
    }

    @Test
    void routingCharactersAreAllowedOnlyWhenConfiguredAndOnlyForProtectedDomains() {
        RelayControl lenient = new RelayControl(TestServer.settings().withRelayControl(550, null, true));
        assertThat(lenient.check(PathParser.parse("<a%b@example.org>", false)))
                .isInstanceOf(RelayControl.Verdict.Protected.class);
        assertThat(lenient.check(PathParser.parse("<a%example.org@elsewhere.example>", false)))
                .isInstanceOf(RelayControl.Verdict.Denied.class);
        RelayControl strict = new RelayControl(TestServer.settings());
        assertThat(strict.check(PathParser.parse("<a%b@example.org>", false)))
                .isEqualTo(new RelayControl.Verdict.Denied(Replies.relayDenied(550, "a%b@example.org")));
    }
}
