package org.mxguard.loganalysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void drawsOnOneLineAndClearsIt() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), 100L << 20);
        bar.accept(50L << 20);
        bar.accept(100L << 20);
        bar.finish();
        String s = out.toString(StandardCharsets.UTF_8);
        assertThat(s).startsWith("\r[###############               ]  50% 50/100 MB")
                .contains("\r[##############################] 100% 100/100 MB").doesNotContain("\n");
    }
}
