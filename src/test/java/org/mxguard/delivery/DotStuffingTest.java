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

    private static String stuff(String content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DotStuffing.copy(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
