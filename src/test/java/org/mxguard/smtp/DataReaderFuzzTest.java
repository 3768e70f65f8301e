package org.mxguard.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The DATA reader against any octets (the SMTP smuggling invariant, RFC 5321 §4.5.2): it stops
 * exactly after the first CR LF "." CR LF (or a "." CR LF first line) and reads nothing past it,
 * or reports the connection closed; what it stores holds no NUL and, when it normalises, no bare CR
 * or LF; the size it reports is what it wrote. Without JAZZER_FUZZ=1 this replays the seed corpus
 * only; with it, it fuzzes.
 */
class DataReaderFuzzTest {

    private static final byte[] END = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest(maxDuration = "30s")
    void dataEndsOnlyAtCrLfDotCrLf(FuzzedDataProvider data) throws IOException {
        boolean normalize = data.consumeBoolean();
        // The server never holds less than 1000 octets of a line (line-length-limit); 2 is the least
        // for which a "." line fits the buffer with room to see its end.
        int lineLengthLimit = data.consumeInt(2, 64);
        byte[] wire = data.consumeRemainingAsBytes();
        int end = endOfData(wire);
        DataReader reader = new DataReader(new SmtpInput(new ByteArrayInputStream(wire)), lineLengthLimit,
                Long.MAX_VALUE, normalize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataReader.Result result;
        try {
            result = reader.read(out);
        } catch (EOFException closed) {
            assertThat(end).as("closed although the data had an end").isEqualTo(-1);
            return;
        }
        assertThat(end).as("an end was read where the wire has none").isNotEqualTo(-1);
        assertThat(result.received()).as("octets read up to the end of data").isEqualTo(end);
        byte[] stored = out.toByteArray();
        if (result.outcome() != DataReader.Outcome.OK) {
            assertThat(normalize).isFalse();
            return;
        }
        assertThat(result.size()).isEqualTo(stored.length);
        for (int i = 0; i < stored.length; i++) {
            assertThat(stored[i]).as("NUL at %d", i).isNotEqualTo((byte) 0);
            if (stored[i] == '\r') {
                assertThat(i + 1 < stored.length && stored[i + 1] == '\n').as("bare CR at %d", i).isTrue();
            }
            if (stored[i] == '\n') {
                assertThat(i > 0 && stored[i - 1] == '\r').as("bare LF at %d", i).isTrue();
            }
        }
    }

    /** Octets up to and including the end-of-data line, or -1 if there is none. */
    private static int endOfData(byte[] wire) {
        if (wire.length >= 3 && wire[0] == '.' && wire[1] == '\r' && wire[2] == '\n') {
            return 3;
        }
        outer:
        for (int i = 0; i + END.length <= wire.length; i++) {
            for (int j = 0; j < END.length; j++) {
                if (wire[i + j] != END[j]) {
                    continue outer;
                }
            }
            return i + END.length;
        }
        return -1;
    }
}
