package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.mxguard.mail.Domain;
import org.mxguard.mail.PathParser;

class CommandParserTest {

    private static Command parse(String line) {
        return CommandParser.parse(line.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void verbsAreCaseInsensitiveAndASpaceAfterTheColonIsTolerated() {
        Command mail = parse("mail from: <a@example.org> size=10 body=8bitmime");
        assertThat(mail).isInstanceOfSatisfying(Command.Mail.class, m -> {
            assertThat(m.size()).isEqualTo(10);
            assertThat(m.eightBitMime()).isTrue();
            assertThat(((PathParser.Result.Mailbox) m.path()).domain()).isEqualTo(Domain.parse("example.org"));
        });
        assertThat(parse("rCpT To:<b@example.org>")).isInstanceOf(Command.Rcpt.class);
        assertThat(parse("ehlo   client.example  ")).isEqualTo(new Command.Helo(true, "client.example"));
    }

    @Test
    void nullSenderAndItsParameters() {
        assertThat(parse("MAIL FROM:<> SMTPUTF8")).isInstanceOfSatisfying(Command.Mail.class, m -> {
            assertThat(m.path()).isInstanceOf(PathParser.Result.NullPath.class);
            assertThat(m.smtpUtf8()).isTrue();
        });
    }

    @Test
    void nullIsNoRecipient() {
        assertThat(parse("RCPT TO:<>")).isEqualTo(new Command.Invalid("rcpt", Replies.BAD_RECIPIENT_SYNTAX));
    }

    @Test
    void eightBitIsOnlyForTheAddressesOfAnSmtpUtf8Transaction() {
        byte[] rcpt = "RCPT TO:<ü@example.org>".getBytes(StandardCharsets.UTF_8);
        assertThat(CommandParser.parse(rcpt, false)).isEqualTo(new Command.Invalid("rcpt", Replies.EIGHT_BIT_COMMAND));
        assertThat(CommandParser.parse(rcpt, true)).isInstanceOf(Command.Rcpt.class);
        assertThat(parse("EHLO bücher.example")).isEqualTo(new Command.Invalid("ehlo", Replies.EIGHT_BIT_COMMAND));
        byte[] latin1 = "MAIL FROM:<\u00fc@example.org> SMTPUTF8".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(CommandParser.parse(latin1, false)).isEqualTo(new Command.Invalid("mail", Replies.BAD_UTF8));
    }

    @Property(tries = 5000)
    void anyLineParsesToACommandWithoutThrowing(@ForAll byte[] line) {
        assertThat(CommandParser.parse(line, false)).isNotNull();
        assertThat(CommandParser.parse(line, true)).isNotNull();
    }

    @Property(tries = 5000)
    void anyTextAfterMailFromParsesWithoutThrowing(@ForAll String text) {
        assertThat(parse("MAIL FROM:" + text)).isNotNull();
        assertThat(PathParser.parse(text, true)).isNotNull();
        assertThat(PathParser.parse("<" + text + "@example.org>", false)).isNotNull();
    }
}
