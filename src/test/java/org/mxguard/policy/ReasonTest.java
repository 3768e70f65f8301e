package org.mxguard.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReasonTest {

    @Test
    void aNetworkIsPutIntoWordsAsTheRuleWroteIt() {
        Cidr v4 = Cidr.parse("192.0.2.77");
        assertThat(Reason.client(true, 0, v4.lo(), 24)).hasToString("client 192.0.2.0/24");
        assertThat(Reason.client(true, 0, v4.lo(), 32)).hasToString("client 192.0.2.77");
        Cidr v6 = Cidr.parse("2001:db8:bad::25");
        assertThat(Reason.client(false, v6.hi(), v6.lo(), 48)).hasToString("client 2001:db8:bad::/48");
    }

    @Test
    void equalWhenTheTextsAreEqualWhicheverWayTheyWereMade() {
        Reason network = Reason.client(true, 0, Cidr.parse("198.51.100.9").lo(), 24);
        Reason words = Reason.of("client 198.51.100.0/24");
        assertThat(network).isEqualTo(words).hasSameHashCodeAs(words);
        assertThat(words).isEqualTo(network);
        assertThat(network).isNotEqualTo(Reason.of("client 198.51.100.0/25"));
        assertThat(Reason.of((String) null)).isNull();
    }

    @Test
    void conditionsArePutIntoWordsAsWritten() throws Exception {
        String written = "from <> client-name .dialup.isp.example not client 192.0.2.0/24";
        Rule rule = RuleFileReader.parse("t.rules", "tempfail " + written + "\n").getFirst();
        Reason r = Reason.conditions(rule.conditions().toArray(new Condition[0]));
        assertThat(r).hasToString(written).isEqualTo(Reason.of(written));
    }
}
