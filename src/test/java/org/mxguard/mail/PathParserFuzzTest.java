package org.mxguard.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The address parser meets any text with a path or an {@link PathParser.Result.Invalid}, never an
 * exception; a mailbox it accepts, written back in angle brackets, parses to the same mailbox (what
 * mxguard logs and sends to the primary is what it judged). Without JAZZER_FUZZ=1 this replays the
 * seed corpus only; with it, it fuzzes.
 */
class PathParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void mailboxesRoundTrip(FuzzedDataProvider data) {
        boolean utf8 = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        PathParser.Result result = PathParser.parse(text, utf8);
        assertThat(result).isNotNull();
        PathParser.pathLength(text);
        if (result instanceof PathParser.Result.Mailbox mailbox) {
            assertThat(mailbox.text()).doesNotContain("\r", "\n", "\0");
            PathParser.Result again = PathParser.parse("<" + mailbox.text() + ">", utf8);
            assertThat(again).isInstanceOf(PathParser.Result.Mailbox.class);
            PathParser.Result.Mailbox reparsed = (PathParser.Result.Mailbox) again;
            assertThat(reparsed.localPart()).isEqualTo(mailbox.localPart());
            assertThat(reparsed.domain()).isEqualTo(mailbox.domain());
            assertThat(reparsed.addressLiteral()).isEqualTo(mailbox.addressLiteral());
        }
    }
}
