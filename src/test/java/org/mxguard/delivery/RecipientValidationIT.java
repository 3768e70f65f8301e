package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mxguard.dns.DnsClient;
import org.mxguard.dns.DnsSettings;
import org.mxguard.mail.Domain;
import org.mxguard.mail.MailAddress;
import org.mxguard.maillog.MailLog;

/**
 * Recipient validation against a scripted primary on loopback: what the primary says while it is
 * up, what the cache says while it is down, and the table of valid recipients.
 */
class RecipientValidationIT {

    private static final Instant START = Instant.parse("2026-11-20T08:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(START);
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());
    private final MailLog mailLog = new MailLog("mxguard.test", "postfix-mxguard", clock, log::add);
    private ScriptedSink primary;

    @BeforeEach
    void start() throws Exception {
        primary = new ScriptedSink();
        primary.rcptReply = rcpt -> switch (rcpt) {
            case "known@protected.test" -> "250 2.1.5 Ok";
            case "greylisted@protected.test" -> "450 4.2.0 <greylisted@protected.test>: Recipient address rejected: Greylisted";
            default -> "550 5.1.1 <" + rcpt + ">: Recipient address rejected: User unknown in local recipient table";
        };
    }

    @AfterEach
    void stop() throws Exception {
        primary.close();
    }

    @Test
    void whileThePrimaryIsUpItsAnswerDecidesAndNoMessageIsSent() {
        RecipientValidation check = validation(RecipientSettings.DEFAULTS.withVerify(true));

        assertThat(check.refusal(rcpt("known"))).isEmpty();
        assertThat(check.refusal(rcpt("nobody"))).hasValueSatisfying(reply -> assertThat(reply.toString()).isEqualTo(
                "550 5.1.1 <nobody@protected.test>: Recipient address rejected: undeliverable address: host "
                + "127.0.0.1[127.0.0.1] said: 550 5.1.1 <nobody@protected.test>: Recipient address rejected: "
                + "User unknown in local recipient table (in reply to RCPT TO command)"));
        assertThat(check.refusal(rcpt("greylisted"))).hasValueSatisfying(reply ->
                assertThat(reply.toString()).startsWith("450 4.1.1 <greylisted@protected.test>: Recipient address "
                        + "rejected: unverified address: host 127.0.0.1[127.0.0.1] said: 450 4.2.0"));

        assertThat(primary.commands).contains("MAIL FROM:<>", "RCPT TO:<known@protected.test>",
                "RCPT TO:<nobody@protected.test>").doesNotContain("DATA");
        assertThat(primary.received).isEmpty();
        assertThat(log).anyMatch(l -> l.contains("verify[") && l.contains("<nobody@protected.test> is undeliverable"));
    }

    @Test
    void answersAreCachedAndAskedAgainAfterTheRefreshTime() {
        RecipientValidation check = validation(RecipientSettings.DEFAULTS.withVerify(true));
        check.refusal(rcpt("known"));
        check.refusal(rcpt("nobody"));
        int asked = primary.connections.get();

        clock.advance(Duration.ofHours(2));
        assertThat(check.refusal(rcpt("known"))).isEmpty();
        assertThat(check.refusal(rcpt("nobody"))).isPresent();
        assertThat(primary.connections.get()).as("answered from the cache").isEqualTo(asked);

        clock.advance(Duration.ofHours(2));
        assertThat(check.refusal(rcpt("nobody"))).isPresent();
        assertThat(primary.connections.get()).as("the unknown user is asked about again after 3 h").isEqualTo(asked + 1);
    }

    @Test
    void whileThePrimaryIsDownTheCacheAnswersAndNewRecipientsAreTaken() throws Exception {
        RecipientValidation check = validation(RecipientSettings.DEFAULTS.withVerify(true));
        check.refusal(rcpt("known"));
        check.refusal(rcpt("nobody"));
        primary.close();

        clock.advance(Duration.ofDays(2));
        assertThat(check.refusal(rcpt("known"))).as("known 2 days ago").isEmpty();
        assertThat(check.refusal(rcpt("nobody"))).as("unknown 2 days ago")
                .hasValueSatisfying(reply -> assertThat(reply.code()).isEqualTo(550));
        assertThat(check.refusal(rcpt("never.asked"))).as("nobody to ask, nothing known: the backup takes it").isEmpty();

        clock.advance(Duration.ofDays(2));
        assertThat(check.refusal(rcpt("nobody"))).as("the negative answer expired after 3 days").isEmpty();
        clock.advance(Duration.ofDays(26));
        assertThat(check.refusal(rcpt("known"))).isEmpty();
    }

    @Test
    void whatThePrimarySaidSurvivesARestartWhileItIsDown() throws Exception {
        validation(RecipientSettings.DEFAULTS.withVerify(true)).refusal(rcpt("known"));
        validation(RecipientSettings.DEFAULTS.withVerify(true)).refusal(rcpt("nobody"));
        primary.close();
        clock.advance(Duration.ofDays(1));

        RecipientValidation restarted = validation(RecipientSettings.DEFAULTS.withVerify(true));
        assertThat(restarted.refusal(rcpt("nobody"))).hasValueSatisfying(reply -> assertThat(reply.toString())
                .contains("undeliverable address: host 127.0.0.1[127.0.0.1] said: 550 5.1.1"));
        assertThat(restarted.refusal(rcpt("known"))).isEmpty();
        assertThat(restarted.refusal(rcpt("stranger"))).isEmpty();

        clock.advance(Duration.ofDays(3));
        RecipientValidation later = validation(RecipientSettings.DEFAULTS.withVerify(true));
        assertThat(later.refusal(rcpt("nobody"))).as("the negative answer expired").isEmpty();
        assertThat(Files.readString(dir.resolve("verify-cache"))).contains("known@protected.test")
                .doesNotContain("nobody@protected.test");
    }

    @Test
    void aPrimaryThatDoesNotAnswerIsNotAskedAgainForAMinute() {
        primary.hangAt = "GREETING";
        RecipientSettings d = RecipientSettings.DEFAULTS;
        RecipientValidation check = validation(new RecipientSettings(null, true, d.positiveRefresh(), d.positiveExpire(),
                d.negativeRefresh(), d.negativeExpire(), Duration.ofMillis(500)));

        long started = System.nanoTime();
        assertThat(check.refusal(rcpt("first"))).as("nobody to ask: taken").isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        for (int i = 0; i < 20; i++) {
            assertThat(check.refusal(rcpt("next" + i))).isEmpty();
        }
        assertThat(primary.connections.get()).as("one wait for the whole minute, not one per recipient").isEqualTo(1);

        clock.advance(Duration.ofSeconds(61));
        check.refusal(rcpt("later"));
        assertThat(primary.connections.get()).isEqualTo(2);
    }

    @Test
    void theValidRecipientFileRefusesUnknownUsersOfTheDomainsItLists() throws Exception {
        Path file = dir.resolve("relay_recipients");
        Files.writeString(file, """
                # as Postfix's relay_recipient_maps source
                alice@protected.test    OK
                Bob@Protected.Test      x
                @open.test              OK
                """);
        RecipientValidation check = validation(RecipientSettings.DEFAULTS.withFile(file));

        assertThat(check.refusal(rcpt("alice"))).isEmpty();
        assertThat(check.refusal(rcpt("BOB"))).isEmpty();
        assertThat(check.refusal(rcpt("mallory"))).hasValueSatisfying(reply -> assertThat(reply.toString())
                .isEqualTo("550 5.1.1 <mallory@protected.test>: Recipient address rejected: User unknown in relay "
                        + "recipient table"));
        assertThat(check.refusal(rcpt("Postmaster"))).as("RFC 5321 §4.5.1").isEmpty();
        assertThat(check.refusal(MailAddress.of("anyone", "open.test"))).isEmpty();
        assertThat(check.refusal(MailAddress.of("anyone", "unlisted.test"))).as("a domain the file does not name").isEmpty();
        assertThat(primary.connections.get()).as("the file alone asks nobody").isZero();
    }

    @Test
    void aBadLineInTheFileIsAnErrorNamingFileAndLine() throws Exception {
        Path file = dir.resolve("relay_recipients");
        Files.writeString(file, "alice@protected.test OK\njust-a-name OK\n");
        assertThatThrownBy(() -> validation(RecipientSettings.DEFAULTS.withFile(file)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage(file + ":2: expected user@domain or @domain, not 'just-a-name'");
    }

    private RecipientValidation validation(RecipientSettings settings) {
        DeliverySettings delivery = DeliverySettings.defaults("mxguard.test")
                .withRoutes(Map.of(Domain.parse("protected.test"), StaticRoute.parse(primary.route())))
                .withSmtp(SmtpTimeouts.all(Duration.ofSeconds(5)), TlsMode.NONE, 50);
        // Static routes to IP literals never ask DNS; the resolver points at a port nobody serves.
        DnsClient dns = new DnsClient(DnsSettings.server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                Duration.ofMillis(100)));
        return RecipientValidation.create(settings, delivery, dns, mailLog, clock, dir.resolve("verify-cache"));
    }

    private static MailAddress rcpt(String user) {
        return MailAddress.of(user, "protected.test");
    }
}
