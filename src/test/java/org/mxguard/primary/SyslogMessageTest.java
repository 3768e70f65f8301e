package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SyslogMessageTest {

    private static final Instant NOW = Instant.parse("2026-12-06T06:00:00Z");

    @Test
    void rfc3164MessageIsTheLogLineAfterThePri() {
        SyslogMessage m = SyslogMessage.parse("<22>Dec  6 05:59:58 mx1 postfix/smtpd[42]: connect from "
                + "a.example[192.0.2.1]", "192.0.2.200", NOW);
        assertThat(m.isMail()).isTrue();
        assertThat(m.severity()).isEqualTo(6);
        assertThat(m.line()).isEqualTo("Dec  6 05:59:58 mx1 postfix/smtpd[42]: connect from a.example[192.0.2.1]");
    }

    @Test
    void rfc3164WithoutTimestampGetsArrivalTimeAndPeer() {
        SyslogMessage m = SyslogMessage.parse("<22>postfix/smtpd[42]: connect from a.example[192.0.2.1]",
                "192.0.2.200", NOW);
        assertThat(m.line()).isEqualTo("2026-12-06T06:00:00Z 192.0.2.200 postfix/smtpd[42]: connect from "
                + "a.example[192.0.2.1]");
    }

    @Test
    void rfc5424MessageBecomesALogLine() {
        SyslogMessage m = SyslogMessage.parse("<22>1 2026-12-06T05:59:58.123456+01:00 mx1.example postfix/smtpd 42 "
                + "- [origin ip=\"192.0.2.9\" x=\"a \\\"]\\\" b\"][meta sequenceId=\"1\"] \uFEFFconnect from "
                + "a.example[192.0.2.1]", "192.0.2.200", NOW);
        assertThat(m.line()).isEqualTo("2026-12-06T05:59:58.123456+01:00 mx1.example postfix/smtpd[42]: connect from "
                + "a.example[192.0.2.1]");
    }

    @Test
    void rsyslogsForwardedMessageLosesItsTrailingLineFeedAndDoubleSpace() {
        SyslogMessage m = SyslogMessage.parse("<22>1 2026-02-25T03:01:10+00:00 kismet sm-mta 27713 - -  s1P819mk027713: "
                + "ruleset=check_rcpt\n", "192.0.2.200", NOW);
        assertThat(m.line()).isEqualTo("2026-02-25T03:01:10+00:00 kismet sm-mta[27713]: s1P819mk027713: "
                + "ruleset=check_rcpt");
    }

    @Test
    void rfc5424NilValuesAreFilledFromTheArrival() {
        SyslogMessage m = SyslogMessage.parse("<16>1 - - sm-mta - - - hello", "192.0.2.200", NOW);
        assertThat(m.facility()).isEqualTo(2);
        assertThat(m.severity()).isZero();
        assertThat(m.line()).isEqualTo("2026-12-06T06:00:00Z 192.0.2.200 sm-mta: hello");
    }

    @Test
    void otherFacilitiesAreKnownAsSuch() {
        assertThat(SyslogMessage.parse("<14>Dec  6 05:59:58 mx1 sshd[1]: x", "p", NOW).isMail()).isFalse();
        assertThat(SyslogMessage.parse("<191>Dec  6 05:59:58 mx1 sshd[1]: x", "p", NOW).facility()).isEqualTo(23);
    }

    @Test
    void notSyslogIsRefusedWithAReason() {
        for (String bad : List.of("", "hello", "<>x", "<192>x", "<1a>x", "<007>x", "<22>1 2026-12-06T05:59:58Z",
                "<22>1 - - - - - [unclosed", "<22>1 - - - - - nosd")) {
            assertThatThrownBy(() -> SyslogMessage.parse(bad, "p", NOW)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    private static List<String> frames(String stream, int max) throws IOException {
        SyslogFrameReader reader = new SyslogFrameReader(new ByteArrayInputStream(
                stream.getBytes(StandardCharsets.UTF_8)), max);
        List<String> out = new ArrayList<>();
        String frame;
        while ((frame = reader.next()) != null) {
            out.add(frame);
        }
        return out;
    }

    @Test
    void octetCountingAndLineEndedFramesMix() throws IOException {
        // RFC 6587 §3.4.1: the count covers the message only; a message may hold LF.
        assertThat(frames("11 <22>a\nb c d11 <22>xyz\r\n\r\n<13>one\r\n<13>two\n", 1024))
                .containsExactly("<22>a\nb c d", "<22>xyz\r\n\r\n", "<13>one", "<13>two");
    }

    @Test
    void overlongMessagesAreCutAndTheStreamStaysInStep() throws IOException {
        String big = "<22>" + "x".repeat(2000);
        assertThat(frames(big.length() + " " + big + "<13>next\n" + big + "\n<13>last\n", 600))
                .containsExactly(big.substring(0, 600), "<13>next", big.substring(0, 600), "<13>last");
    }

    @Test
    void brokenFramingEndsTheConnection() {
        assertThatThrownBy(() -> frames("abc\n", 1024)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> frames("12x <22>", 1024)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> frames("1234567890 <22>", 1024)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> frames("20 <22>short", 1024)).isInstanceOf(ProtocolException.class);
    }
}
