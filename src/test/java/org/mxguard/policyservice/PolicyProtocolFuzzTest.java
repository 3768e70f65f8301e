package org.mxguard.policyservice;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.mxguard.evidence.PrimaryContact;
import org.mxguard.mail.Reply;
import org.mxguard.policy.Decision;

/**
 * Whatever bytes arrive, the policy protocol reader gives requests or a {@link MalformedRequestException},
 * and every request it gives is answered with one well-formed action: never another exception, never
 * an answer with a newline in it (which would end the answer early and desynchronize Postfix).
 * Without JAZZER_FUZZ=1 this replays the seed corpus only (quick); with it, it fuzzes.
 */
class PolicyProtocolFuzzTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-06T06:00:00Z"), ZoneOffset.UTC);
    private static final InetAddress PEER = InetAddress.getLoopbackAddress();

    @FuzzTest(maxDuration = "30s")
    void readerOnlyEverThrowsMalformedRequest(byte[] input) throws IOException {
        RequestReader reader = new RequestReader(new ByteArrayInputStream(input), 256, 32);
        // Blocks enforced, with a policy that refuses with the client's own HELO as the reply text:
        // whatever a client can put into a request must not break the answer.
        PolicyResponder responder = new PolicyResponder(
                PolicyServiceSettings.listeningOn(new java.net.InetSocketAddress(PEER, 0)).withEnforceBlocks(true),
                this::check, query -> query.helo() == null || query.helo().isBlank() ? Decision.CONTINUE
                        : new Decision.Tempfail(Reply.of(451, "4.7.1", query.helo()), null, "fuzz", false), CLOCK);
        try {
            PolicyRequest request;
            while ((request = reader.next()) != null) {
                assertThat(request.attributes()).isNotEmpty();
                String action = responder.answer(request, PEER);
                assertThat(action).isNotEmpty().doesNotContain("\n").doesNotContain("\r");
            }
        } catch (MalformedRequestException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    private void check(PrimaryContact contact) {
        assertThat(contact.client()).isNotNull();
        assertThat(contact.at()).isEqualTo(CLOCK.instant());
    }
}
