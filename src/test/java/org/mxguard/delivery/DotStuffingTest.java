package org.mxguard.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class DotStuffingTest {

    @Test
    void leadingDotsAreDoubledAndTheEndIsMarked() throws IOException {
        assertThat(stuff(".one\r\ntwo\r\n..three\r\n")).isEqualTo("..one\r\ntwo\r\n...three\r\n.\r\n");
    }

    @Test
    void missingFinalLineEndIsAdded() throws IOException {
        assertThat(stuff("last")).isEqualTo("last\r\n.\r\n");
        assertThat(stuff("")).isEqualTo(".\r\n");
    }

    @Test
    void bareLineEndsCannotSmuggleAnEndOfData() throws IOException {
        // The 2023 SMTP smuggling sequences: each becomes a stuffed dot on a CRLF line.
        assertThat(stuff("a\n.\nb\r\n")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(stuff("a\r.\rb")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(stuff("a\n.\r\nb")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
    }

    @Property(tries = 300)
    void onlyTheLastLineIsALoneDot(@ForAll @StringLength(max = 200) @CharRange(from = '\n', to = '\n')
            @CharRange(from = '\r', to = '\r') @CharRange(from = '.', to = '.') @CharRange(from = 'a', to = 'b')
            String content) throws IOException {
        String out = stuff(content);
        assertThat(out).endsWith("\r\n.\r\n".substring(out.length() == 3 ? 2 : 0));
        String body = out.substring(0, out.length() - 3);
        assertThat(body.split("\r\n", -1)).noneMatch(line -> line.equals("."));
        assertThat(body.replace("\r\n", "")).doesNotContain("\r", "\n");
        // Unstuffing gives back the content with every line end made CRLF.
        StringBuilder unstuffed = new StringBuilder();
        for (String line : body.isEmpty() ? new String[0] : body.substring(0, body.length() - 2).split("\r\n", -1)) {
            unstuffed.append(line.startsWith(".") ? line.substring(1) : line).append("\r\n");
        }
        String normalized = content.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
        if (!normalized.isEmpty() && !normalized.endsWith("\r\n")) {
            normalized += "\r\n";
        }
        assertThat(unstuffed.toString()).isEqualTo(normalized);
    }

    @Test
    void aLongLineWithoutWhitespaceIsBrokenWithCrLfSpaceAfter998OctetsAsPostfixDoes() throws IOException {
        String blob = "x".repeat(5000);
        String out = stuff("Subject: blob\r\n\r\n" + blob + "\r\nend\r\n");
        String[] lines = out.split("\r\n");
        assertThat(lines).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(lines[2]).hasSize(998);
        assertThat(lines[3]).startsWith(" ").hasSize(998);
        // Taking out each inserted CRLF SPACE gives the line back.
        assertThat(out.replace("\r\n ", "")).isEqualTo("Subject: blob\r\n\r\n" + blob + "\r\nend\r\n.\r\n");
    }

    @Test
    void aLongHeaderFieldIsFoldedAtItsWhitespaceSoThatUnfoldingGivesItBackExactly() throws IOException {
        StringBuilder field = new StringBuilder("To:");
        for (int i = 0; field.length() < 5000; i++) {
            field.append(i % 7 == 0 ? "\t" : " ").append("recipient").append(i).append("@example.org,");
        }
        String out = stuff(field + "\r\n\r\nbody\r\n");
        assertThat(out.split("\r\n")).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(out.split("\r\n").length).isGreaterThan(5);
        // RFC 5322 §2.2.3: unfolding removes each CRLF that is followed by whitespace.
        assertThat(out.replaceAll("\r\n(?=[ \t])", "")).isEqualTo(field + "\r\n\r\nbody\r\n.\r\n");
    }

    @Test
    void aLongLineThatStartsWithADotIsStuffedOnceAndItsContinuationsNever() throws IOException {
        String line = "." + "y".repeat(2500);
        String out = stuff(line + "\r\n");
        String[] lines = out.split("\r\n");
        assertThat(lines[0]).startsWith("..").hasSize(999);
        assertThat(lines[1]).startsWith(" y");
        assertThat(lines[2]).startsWith(" y");
        assertThat(lines[lines.length - 1]).isEqualTo(".");
    }

    @Test
    void nulOctetsAreDroppedSoNoParserThatDropsThemSeesAnEndOfData() throws IOException {
        assertThat(stuff("a\r\n\0.\r\nb\r\n")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
        assertThat(stuff("a\r\n.\0\r\nb\r\n")).isEqualTo("a\r\n..\r\nb\r\n.\r\n");
    }

    @Property(tries = 500)
    void atEveryFoldPointNoLineCanEndTheData(@ForAll @StringLength(max = 300) @CharRange(from = '\n', to = '\n')
            @CharRange(from = '\r', to = '\r') @CharRange(from = '.', to = '.') @CharRange(from = ' ', to = ' ')
            @CharRange(from = '\0', to = '\0') @CharRange(from = 'a', to = 'b') String content) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        DotStuffing.copy(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), buffer, 5);
        String out = buffer.toString(StandardCharsets.UTF_8);
        assertThat(out).endsWith(".\r\n").doesNotContain("\0");
        String body = out.substring(0, out.length() - 3);
        assertThat(body.replace("\r\n", "")).doesNotContain("\r", "\n");
        for (String line : body.split("\r\n", -1)) {
            assertThat(line).isNotEqualTo(".");
            // A stuffed dot does not count toward the limit (RFC 5321 §4.5.3.1.6).
            assertThat(line.startsWith("..") ? line.length() - 1 : line.length()).isLessThanOrEqualTo(5);
            assertThat(line.startsWith(".") && !line.startsWith("..")).as("an unstuffed leading dot in %s", out).isFalse();
        }
    }

    private static String stuff(String content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.copy(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
