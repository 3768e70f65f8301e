package org.mxguard.primary;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ProtocolException;
import java.time.Instant;

/**
 * Any byte stream from a syslog peer gives messages, or a clear framing error that ends the
 * connection; any frame gives a message or an IllegalArgumentException: never another exception,
 * a hang or a message longer than the limit. Without JAZZER_FUZZ=1 this replays the seed corpus
 * only (quick); with it, it fuzzes.
 */
class SyslogFrameFuzzTest {

    private static final int MAX = 600;

    @FuzzTest(maxDuration = "30s")
    void framesAndHeadersOnlyEverFailCleanly(byte[] input) {
        SyslogFrameReader reader = new SyslogFrameReader(new ByteArrayInputStream(input), MAX);
        int frames = 0;
        try {
            String frame;
            while ((frame = reader.next()) != null) {
                assertThat(frame.length()).isLessThanOrEqualTo(MAX);
                assertThat(++frames).isLessThanOrEqualTo(input.length);
                try {
                    SyslogMessage message = SyslogMessage.parse(frame, "192.0.2.1", Instant.EPOCH);
                    assertThat(message.facility()).isBetween(0, 23);
                    assertThat(message.severity()).isBetween(0, 7);
                    assertThat(message.line()).isNotNull();
                } catch (IllegalArgumentException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        } catch (ProtocolException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        } catch (IOException e) {
            throw new AssertionError("a byte array cannot fail to be read", e);
        }
    }
}
