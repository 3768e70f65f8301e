package org.mxguard.policyservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestReaderTest {

    private static RequestReader reader(String text) {
        return new RequestReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 256, 16);
    }

    @Test
    void readsTheReadmesExampleThenEndsAtTheEndOfTheStream() throws Exception {
        RequestReader reader = reader("""
                request=smtpd_access_policy
                protocol_state=RCPT
                protocol_name=SMTP
                helo_name=some.domain.tld
                queue_id=8045F2AB23
                sender=foo@bar.tld
                recipient=bar@foo.tld
                client_address=1.2.3.4
                client_name=another.domain.tld
                instance=123.456.7

                """);
        PolicyRequest request = reader.next();
        assertThat(request.request()).isEqualTo("smtpd_access_policy");
        assertThat(request.protocolState()).isEqualTo("RCPT");
        assertThat(request.get("client_name")).isEqualTo("another.domain.tld");
        assertThat(request.get("ccert_subject")).isEmpty();
        assertThat(reader.hasBuffered()).isFalse();
        assertThat(reader.next()).isNull();
    }

    @Test
    void readsPipelinedRequestsCarriageReturnsAndEqualsSignsInValues() throws Exception {
        RequestReader reader = reader("a=1\r\nb=x=y\r\n\r\nsender=\nc=3\n\n");
        assertThat(reader.next().attributes()).containsOnlyKeys("a", "b").containsEntry("b", "x=y");
        assertThat(reader.hasBuffered()).isTrue();
        PolicyRequest second = reader.next();
        assertThat(second.attributes()).containsEntry("sender", "").containsEntry("c", "3");
        assertThat(reader.next()).isNull();
    }

    @Test
    void namesThatShareACacheSlotStayApart() throws Exception {
        // "ab" and "b[" fall into the same slot of the reader's name cache; "äb" is not ASCII.
        RequestReader reader = reader("ab=1\nb[=2\näb=3\n\nb[=4\nab=5\näb=6\n\n");
        assertThat(reader.next().attributes()).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of("ab", "1", "b[", "2", "äb", "3"));
        assertThat(reader.next().attributes()).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of("b[", "4", "ab", "5", "äb", "6"));
    }

    @Test
    void readsUtf8Values() throws Exception {
        assertThat(reader("recipient=ärger@bücher.example\n\n").next().get("recipient"))
                .isEqualTo("ärger@bücher.example");
    }

    @Test
    void refusesALineWithoutEqualsSign() {
        assertThatThrownBy(() -> reader("request=smtpd_access_policy\nGET / HTTP/1.0\n\n").next())
                .isInstanceOf(MalformedRequestException.class)
                .hasMessage("line 2: not name=value: 'GET / HTTP/1.0'");
    }

    @Test
    void refusesAnAttributeWithoutAName() {
        assertThatThrownBy(() -> reader("=value\n\n").next())
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("without a name");
    }

    @Test
    void refusesALeadingEmptyLine() {
        assertThatThrownBy(() -> reader("\na=b\n\n").next())
                .isInstanceOf(MalformedRequestException.class).hasMessageContaining("starts with an empty line");
    }

    @Test
    void refusesALongLineWithoutReadingItAll() {
        // An endless line: the reader must give up at the limit, not read until memory runs out.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        assertThatThrownBy(() -> new RequestReader(endless, 256, 16).next())
                .isInstanceOf(MalformedRequestException.class).hasMessage("line 1: longer than 256 octets");
    }

    @Test
    void acceptsALineOfExactlyTheLimit() throws Exception {
        String value = "v".repeat(256 - 2);
        assertThat(reader("a=" + value + "\n\n").next().get("a")).isEqualTo(value);
        assertThatThrownBy(() -> reader("a=" + value + "v\n\n").next()).isInstanceOf(MalformedRequestException.class);
    }

    @Test
    void refusesTooManyAttributes() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 17; i++) {
            text.append("a").append(i).append("=x\n");
        }
        assertThatThrownBy(() -> reader(text + "\n").next())
                .isInstanceOf(MalformedRequestException.class).hasMessage("line 17: more than 16 attributes in one request");
    }

    @Test
    void refusesARequestCutShort() throws IOException, MalformedRequestException {
        RequestReader reader = reader("a=1\n\nb=2\n");
        reader.next();
        assertThatThrownBy(reader::next).isInstanceOf(MalformedRequestException.class)
                .hasMessageContaining("ended inside a request");
        assertThatThrownBy(() -> reader("a=1").next()).isInstanceOf(MalformedRequestException.class);
    }

    @Test
    void escapesControlCharactersInTheMessage() {
        assertThatThrownBy(() -> reader("bad\u0001line\n\n").next())
                .hasMessage("line 1: not name=value: 'bad\\x01line'");
    }
}
