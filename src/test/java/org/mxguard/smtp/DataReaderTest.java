package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class DataReaderTest {

    private static final String END = "\r\n.\r\n";

    private record Read(DataReader.Result result, String content, String rest) {
    }

    private static Read read(String wire, boolean normalize, long maxSize) throws IOException {
        return read(wire, normalize, maxSize, 1000);
    }

    private static Read read(String wire, boolean normalize, long maxSize, int lineLengthLimit) throws IOException {
        SmtpInput in = new SmtpInput(new ByteArrayInputStream(wire.getBytes(StandardCharsets.ISO_8859_1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataReader.Result result = new DataReader(in, lineLengthLimit, maxSize, normalize).read(out);
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0; b = in.read()) {
            rest.write(b);
        }
        return new Read(result, out.toString(StandardCharsets.ISO_8859_1), rest.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void unstuffsDotsAndStopsAtTheEndLine() throws IOException {
        Read read = read("a\r\n..b\r\n...\r\n.\r\nQUIT\r\n", false, 1000);
        assertThat(read.content()).isEqualTo("a\r\n.b\r\n..\r\n");
        assertThat(read.rest()).isEqualTo("QUIT\r\n");
        assertThat(read.result().outcome()).isEqualTo(DataReader.Outcome.OK);
        assertThat(read.result().size()).isEqualTo(read.content().length());
    }

    @Test
    void anEmptyMessageEndsAtOnce() throws IOException {
        Read read = read(".\r\n", false, 1000);
        assertThat(read.content()).isEmpty();
        assertThat(read.result().size()).isZero();
    }

    @Test
    void findsTheMessageId() throws IOException {
        Read read = read("Subject: x\r\nMessage-ID:\r\n <id@example>\r\n\r\nMessage-ID: <body@x>\r\n.\r\n", false, 1000);
        assertThat(read.result().messageId()).isEqualTo("<id@example>");
    }

    @Test
    void sizeLimitCountsStoredOctets() throws IOException {
        assertThat(read("12345678\r\n.\r\n", false, 10).result().outcome()).isEqualTo(DataReader.Outcome.OK);
        Read tooBig = read("123456789\r\nmore\r\n.\r\nNOOP\r\n", false, 10);
        assertThat(tooBig.result().outcome()).isEqualTo(DataReader.Outcome.TOO_BIG);
        assertThat(tooBig.rest()).isEqualTo("NOOP\r\n");
    }

    @Test
    void endOfStreamBeforeTheEndIsAnError() {
        assertThatThrownBy(() -> read("a\r\n.\n", false, 1000)).isInstanceOf(EOFException.class);
    }

    @Test
    void normalizingTurnsEveryBareCrAndLfIntoCrLf() throws IOException {
        Read read = read("a\nb\rc\r\n.\r\n", true, 1000);
        assertThat(read.content()).isEqualTo("a\r\nb\r\nc\r\n");
        assertThat(read.result().size()).isEqualTo(read.content().length());
    }

    /** Whatever the client sends, the data ends exactly after the first CRLF "." CRLF (counting its start as a line start). */
    @Property(tries = 2000)
    void dataEndsExactlyAtTheFirstCrLfDotCrLf(@ForAll("wireBytes") String data) throws IOException {
        String wire = data + END + "SENTINEL";
        int end = ("\r\n" + wire).indexOf(END) + END.length() - 2;
        for (boolean normalize : List.of(false, true)) {
            for (int lineLengthLimit : List.of(1000, 2, 3)) {
                Read read = read(wire, normalize, 1_000_000, lineLengthLimit);
                assertThat(read.rest()).as("%s", wire.replace("\r", "\\r").replace("\n", "\\n"))
                        .isEqualTo(wire.substring(end));
            }
        }
    }

    /** Lines a proper client dot-stuffs come back unchanged. */
    @Property(tries = 1000)
    void stuffedLinesRoundTrip(@ForAll("lines") List<String> lines) throws IOException {
        StringBuilder wire = new StringBuilder();
        StringBuilder expected = new StringBuilder();
        for (String line : lines) {
            wire.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
            expected.append(line.replace("\0", "")).append("\r\n");
        }
        for (int lineLengthLimit : List.of(1000, 2, 3)) {
            Read read = read(wire + ".\r\n", false, 1_000_000, lineLengthLimit);
            assertThat(read.content()).isEqualTo(expected.toString());
            assertThat(read.result().outcome()).isEqualTo(DataReader.Outcome.OK);
            assertThat(read.result().size()).isEqualTo(expected.length());
        }
    }

    /** RFC 5321 §4.5.3.1.6 says 1000 octets, but mail with longer lines is common: it is kept as received. */
    @Test
    void linesLongerThanTheBufferAreStoredWholeAndUnstuffedOnce() throws IOException {
        String longLine = "<p>" + "x".repeat(5000) + "</p>";
        String dotted = "." + "y".repeat(2500);
        Read read = read("Subject: long\r\n\r\n" + longLine + "\r\n." + dotted + "\r\n.\r\nQUIT\r\n",
                false, 1_000_000, 1000);
        assertThat(read.result().outcome()).isEqualTo(DataReader.Outcome.OK);
        assertThat(read.content()).isEqualTo("Subject: long\r\n\r\n" + longLine + "\r\n" + dotted + "\r\n");
        assertThat(read.result().size()).isEqualTo(read.content().length());
        assertThat(read.rest()).isEqualTo("QUIT\r\n");
    }

    @Test
    void nulOctetsAreStrippedAndANulDotLineIsContentNotTheEnd() throws IOException {
        Read read = read("a\0b\r\n\0.\r\n\0..\r\n.\0\r\nMAIL FROM:<x@y>\r\n.\r\nQUIT\r\n", false, 1_000_000);
        assertThat(read.result().outcome()).isEqualTo(DataReader.Outcome.OK);
        // "\0." was not stuffed by the client, so its dot stays; ".\0" was stuffed, so one dot goes
        assertThat(read.content()).isEqualTo("ab\r\n.\r\n..\r\n\r\nMAIL FROM:<x@y>\r\n");
        assertThat(read.result().size()).isEqualTo(read.content().length());
        assertThat(read.rest()).isEqualTo("QUIT\r\n");
    }

    @Test
    void aLongLineCountsTowardTheSizeLimit() throws IOException {
        Read read = read("x".repeat(5000) + "\r\n.\r\nQUIT\r\n", false, 4000, 1000);
        assertThat(read.result().outcome()).isEqualTo(DataReader.Outcome.TOO_BIG);
        assertThat(read.rest()).isEqualTo("QUIT\r\n");
    }

    @Test
    void aBareLineFeedDeepInALongLineIsStillFound() throws IOException {
        Read refused = read("x".repeat(3000) + "\ny\r\n.\r\n", false, 1_000_000, 1000);
        assertThat(refused.result().outcome()).isEqualTo(DataReader.Outcome.BARE_LINE_FEED);
        Read normalized = read("x".repeat(3000) + "\ny\r\n.\r\n", true, 1_000_000, 1000);
        assertThat(normalized.content()).isEqualTo("x".repeat(3000) + "\r\ny\r\n");
    }

    @Provide
    Arbitrary<String> wireBytes() {
        return Arbitraries.strings().withChars('\r', '\n', '.', 'a', '\0').ofMaxLength(40);
    }

    @Provide
    Arbitrary<List<String>> lines() {
        return Arbitraries.strings().withChars('.', 'a', ' ', '\0', '\u00e9').ofMaxLength(10).list().ofMaxSize(8);
    }
}
