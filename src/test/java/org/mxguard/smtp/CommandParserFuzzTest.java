package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.mxguard.mail.PathParser;

/**
 * Any command line gets a command or a clear 5xx refusal from the parser, never an exception, and
 * what it takes for an address holds no line end or NUL that could reach a log or the primary.
 * Without JAZZER_FUZZ=1 this replays the seed corpus only; with it, it fuzzes.
 */
class CommandParserFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void parserAnswersEveryLine(FuzzedDataProvider data) {
        boolean utf8 = data.consumeBoolean();
        byte[] line = data.consumeRemainingAsBytes();
        Command command = CommandParser.parse(line, utf8);
        assertThat(command).isNotNull();
        assertThat(command.name()).isNotBlank();
        switch (command) {
            case Command.Invalid invalid -> assertThat(invalid.reply().code()).isBetween(500, 599);
            case Command.Mail mail -> {
                assertClean(mail.path());
                assertThat(mail.size()).isGreaterThanOrEqualTo(-1);
            }
            case Command.Rcpt rcpt -> {
                assertThat(rcpt.path()).isNotInstanceOf(PathParser.Result.NullPath.class);
                assertClean(rcpt.path());
            }
            default -> {
                // Other commands carry no address.
            }
        }
    }

    private static void assertClean(PathParser.Result path) {
        if (path instanceof PathParser.Result.Mailbox mailbox) {
            assertThat(mailbox.text()).doesNotContain("\r", "\n", "\0");
            assertThat(mailbox.domain().toString()).doesNotContain("\r", "\n", "\0", " ");
        }
    }
}
