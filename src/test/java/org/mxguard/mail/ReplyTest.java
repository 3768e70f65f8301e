package org.mxguard.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void rendersMultiLineRepliesWithContinuationDashes() {
        Reply reply = new Reply(250, EnhancedStatus.parse("2.0.0"), List.of("first", "second"));
        assertThat(reply.render()).isEqualTo("250-2.0.0 first\r\n250 2.0.0 second\r\n");
    }

    @Test
    void softBounceTurns5xxInto4xx() {
        Reply reply = Reply.of(550, "5.7.1", "Relay access denied").softened();
        assertThat(reply.render()).isEqualTo("450 4.7.1 Relay access denied\r\n");
    }

    @Test
    void statusClassMustMatchCode() {
        assertThatThrownBy(() -> Reply.of(451, "5.7.1", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void domainsCompareInCanonicalForm() {
        assertThat(Domain.parse("Example.ORG.")).isEqualTo(Domain.parse("example.org"));
        assertThat(Domain.parse("bücher.example")).isEqualTo(Domain.parse("xn--bcher-kva.example"));
        assertThat(Domain.parse("a.b.example").isWithin(Domain.parse("b.example"))).isTrue();
        assertThat(Domain.parse("ab.example").isWithin(Domain.parse("b.example"))).isFalse();
    }
}
