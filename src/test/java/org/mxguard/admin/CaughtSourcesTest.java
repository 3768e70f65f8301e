package org.mxguard.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Reply;
import org.mxguard.policy.RuleRef;
import org.mxguard.smtp.SessionEvent;

class CaughtSourcesTest {

    private static final Instant T = Instant.parse("2026-12-06T06:00:00Z");
    private final CaughtSources caught = new CaughtSources();

    private static ClientInfo client(String address, String name) throws Exception {
        return new ClientInfo(InetAddress.getByName(address), 40000, name, "pc", "ESMTP", null);
    }

    private void refuse(ClientInfo client, int code, RuleRef rule, boolean warnOnly) {
        caught.onEvent(new SessionEvent.Rejected(T, client, "RCPT", Reply.of(code, code / 100 + ".7.1", "Relaying Denied"),
                "", "user@example.org", warnOnly, rule));
    }

    @Test
    void refusalsByRulesCountPerNetworkAndSubdomain() throws Exception {
        RuleRef rule = new RuleRef("access.rules", 3);
        refuse(client("198.51.100.7", "dsl-7.pool.isp.example"), 451, rule, false);
        refuse(client("198.51.100.9", "DSL-9.Pool.ISP.example."), 451, rule, false);
        refuse(client("198.51.100.200", "unknown"), 550, new RuleRef("mx-skip", 0), false);
        refuse(client("2001:db8:1:2:3::4", "mail.example"), 451, rule, false);

        assertThat(caught.networks(10)).extracting(TopSources.Entry::source, TopSources.Entry::tempfailed,
                TopSources.Entry::rejected).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("198.51.100.0/24", 2L, 1L),
                        org.assertj.core.groups.Tuple.tuple("2001:db8:1:2::/64", 1L, 0L));
        // an unconfirmed name has no subdomain, and mail.example's parent would be a whole domain
        assertThat(caught.subdomains(10)).extracting(TopSources.Entry::source, TopSources.Entry::caught)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(".pool.isp.example", 2L));
    }

    @Test
    void relayControlLimitsAndWarningsAreNotCaught() throws Exception {
        refuse(client("192.0.2.1", "relay.test.example"), 554, null, false);
        refuse(client("192.0.2.2", "dsl.pool.test.example"), 451, new RuleRef("access.rules", 1), true);
        assertThat(caught.networks(10)).isEmpty();
        assertThat(caught.subdomains(10)).isEmpty();
    }
}
