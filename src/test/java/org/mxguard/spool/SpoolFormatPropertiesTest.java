package org.mxguard.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.mxguard.mail.ClientInfo;
import org.mxguard.mail.Domain;
import org.mxguard.mail.Envelope;
import org.mxguard.mail.MailAddress;
import org.mxguard.mail.QueueId;

/** Whatever a client sent, the spool reads back exactly the envelope and state it wrote. */
class SpoolFormatPropertiesTest {

    private static final QueueId ID = new QueueId("1J16K8AJUI000");

    @Property(tries = 300)
    void envelopeRoundTrips(@ForAll("envelopes") Envelope envelope) throws IOException {
        MessageHeader.Draft draft = MessageHeader.draft(ID, envelope);
        byte[] body = "body\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[draft.bytes().length + body.length];
        System.arraycopy(draft.bytes(), 0, file, 0, draft.bytes().length);
        System.arraycopy(body, 0, file, draft.bytes().length, body.length);
        byte[] size = MessageHeader.sizeDigits(body.length);
        System.arraycopy(size, 0, file, draft.sizeOffset(), size.length);

        ByteArrayInputStream in = new ByteArrayInputStream(file);
        MessageHeader header = MessageHeader.read(in);
        assertThat(header.envelope()).isEqualTo(envelope);
        assertThat(header.id()).isEqualTo(ID);
        assertThat(header.size()).isEqualTo(body.length);
        assertThat(header.length()).isEqualTo(draft.bytes().length);
        assertThat(in.readAllBytes()).isEqualTo(body);
    }

    @Property(tries = 300)
    void stateRoundTrips(@ForAll("addresses") List<MailAddress> pending, @ForAll("text") String lastError,
            @ForAll boolean held, @ForAll boolean warned) throws IOException {
        DeliveryState state = new DeliveryState(pending, pending.size(), Instant.ofEpochSecond(1_800_000_000L, 42),
                lastError.isEmpty() ? null : lastError, held, warned);
        byte[] text = StateFile.encode(state);
        assertThat(StateFile.read(new ByteArrayInputStream(text))).isEqualTo(state);
    }

    @Property(tries = 500)
    void escapedValuesArePrintableTokensThatRoundTrip(@ForAll("text") String value) throws IOException {
        String escaped = FieldValue.escape(value);
        assertThat(escaped).matches("[\\x21-\\x7E]*");
        assertThat(FieldValue.unescape(escaped)).isEqualTo(value);
    }

    @Property(tries = 200)
    void anyTruncationOfAStateIsDetected(@ForAll("addresses") List<MailAddress> pending) {
        byte[] text = StateFile.encode(new DeliveryState(pending, 1, Instant.EPOCH, "x", false, false));
        for (int cut = 0; cut < text.length; cut++) {
            byte[] part = java.util.Arrays.copyOf(text, cut);
            assertThatThrownBy(() -> StateFile.read(new ByteArrayInputStream(part)))
                    .isInstanceOf(SpoolFormatException.class);
        }
    }

    @Property(tries = 100)
    void malformedEscapesAreRejected(@ForAll("badEscapes") String text) {
        assertThatThrownBy(() -> FieldValue.unescape(text)).isInstanceOf(SpoolFormatException.class);
    }

    @Provide
    Arbitrary<String> badEscapes() {
        return Arbitraries.of("%", "%4", "%G0", "a b", "caf\u00e9", "%C3", "%FF", "tab\there");
    }

    @Provide
    Arbitrary<String> text() {
        Arbitrary<Integer> special = Arbitraries.of((int) '"', (int) ' ', (int) '@', (int) '%', (int) '\\',
                (int) '\r', (int) '\n', 0, 0x7F, 0xE9, 0x00FC, 0x4E2D, 0x1F600, 0xFFFD);
        Arbitrary<Integer> any = Arbitraries.integers().between(0, 0x10FFFF)
                .filter(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
        Arbitrary<Integer> ascii = Arbitraries.integers().between(0x20, 0x7E);
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(5, ascii), net.jqwik.api.Tuple.of(2, any))
                .list().ofMaxSize(40)
                .map(cps -> {
                    StringBuilder s = new StringBuilder();
                    cps.forEach(s::appendCodePoint);
                    return s.toString();
                });
    }

    @Provide
    Arbitrary<MailAddress> address() {
        Arbitrary<String> label = Arbitraries.strings().withCharRange('a', 'z').withChars('-', '0', '9')
                .ofMinLength(1).ofMaxLength(12)
                .filter(l -> !l.startsWith("-") && !l.endsWith("-"));
        Arbitrary<Domain> domain = label.list().ofMinSize(1).ofMaxSize(4)
                .map(labels -> new Domain(String.join(".", labels) + ".example"));
        return Combinators.combine(text(), domain).as(MailAddress::new);
    }

    @Provide
    Arbitrary<List<MailAddress>> addresses() {
        return address().list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<InetAddress> ipAddresses() {
        Arbitrary<InetAddress> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4).map(SpoolFormatPropertiesTest::ip);
        Arbitrary<InetAddress> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16)
                .map(SpoolFormatPropertiesTest::ip);
        return Arbitraries.oneOf(v4, v6, Arbitraries.of(InetAddress.ofLiteral("2001:db8::1"),
                InetAddress.ofLiteral("fe80::1%1"),
                InetAddress.ofLiteral("::ffff:192.0.2.1"), InetAddress.ofLiteral("198.51.100.7")));
    }

    private static InetAddress ip(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<Envelope> envelopes() {
        Arbitrary<String> optionalText = Arbitraries.oneOf(text(), Arbitraries.just(null));
        Arbitrary<ClientInfo> client = Combinators.combine(ipAddresses(), Arbitraries.integers().between(0, 65535),
                optionalText, optionalText, Arbitraries.of("SMTP", "ESMTP", "ESMTPS", "ESMTPSA"), optionalText)
                .as(ClientInfo::new);
        Arbitrary<MailAddress> sender = Arbitraries.oneOf(address(), Arbitraries.just(MailAddress.NULL_SENDER));
        Arbitrary<Instant> received = Arbitraries.longs().between(0, 4_102_444_800L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        return Combinators.combine(sender, address().list().ofMinSize(1).ofMaxSize(6), client, received,
                Arbitraries.of(true, false), Arbitraries.of(true, false)).as(Envelope::new);
    }
}
