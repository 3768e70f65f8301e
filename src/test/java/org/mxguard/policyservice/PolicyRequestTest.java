package org.mxguard.policyservice;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.MailAddress;
import org.mxguard.policy.PolicyQuery;
import org.mxguard.policy.Stage;

class PolicyRequestTest {

    private static final Instant NOW = Instant.parse("2026-12-06T06:00:00Z");

    private static PolicyRequest request(String state, String sender, String... more) {
        Map<String, String> attributes = new HashMap<>(Map.of("request", "smtpd_access_policy",
                "protocol_state", state, "client_address", "192.0.2.7", "client_name", "mta.client.example",
                "reverse_client_name", "mta.client.example", "helo_name", "mta.client.example", "sender", sender,
                "recipient", "user@example.org"));
        for (int i = 0; i < more.length; i += 2) {
            attributes.put(more[i], more[i + 1]);
        }
        return new PolicyRequest(attributes);
    }

    @Test
    void aRcptRequestIsAContactWithItsFields() {
        PrimaryContact contact = request("RCPT", "").contact("mx1.example.org", NOW);
        assertThat(contact).isEqualTo(new PrimaryContact(InetAddress.ofLiteral("192.0.2.7"), "mta.client.example",
                "mta.client.example", true, "mx1.example.org", NOW, PrimaryContact.Source.POLICY_SERVICE));
        assertThat(request("RCPT", "a@b.example").contact("p", NOW).nullSender()).isFalse();
    }

    @Test
    void beforeMailTheEmptySenderIsNotTheNullSender() {
        assertThat(request("CONNECT", "", "helo_name", "").contact("p", NOW))
                .satisfies(c -> assertThat(c.nullSender()).isFalse())
                .satisfies(c -> assertThat(c.helo()).isNull());
    }

    @Test
    void anUnverifiedNameIsUnknown() {
        assertThat(request("RCPT", "", "client_name", "unknown", "reverse_client_name", "dyn.example")
                .contact("p", NOW).clientName()).isEqualTo("unknown");
    }

    @Test
    void noClientAddressIsNoContactAndNoLookup() {
        assertThat(request("RCPT", "", "client_address", "").contact("p", NOW)).isNull();
        assertThat(request("RCPT", "", "client_address", "mta.client.example").contact("p", NOW)).isNull();
        assertThat(request("RCPT", "", "client_address", "2001:db8::25").contact("p", NOW).client())
                .isEqualTo(InetAddress.ofLiteral("2001:db8::25"));
    }

    @Test
    void rcptQueryCarriesSenderAndRecipient() {
        PolicyQuery query = request("RCPT", "").query();
        assertThat(query.stage()).isEqualTo(Stage.RCPT);
        assertThat(query.sender()).isEqualTo(MailAddress.NULL_SENDER);
        assertThat(query.recipient()).isEqualTo(MailAddress.of("user", "example.org"));
        assertThat(request("EHLO", "").query().stage()).isEqualTo(Stage.HELO);
        assertThat(request("DATA", "").query()).isNull();
        assertThat(request("RCPT", "", "recipient", "no-domain").query()).isNull();
    }
}
