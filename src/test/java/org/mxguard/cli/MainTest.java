package org.mxguard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line as a user types it: a verb runs alone, and still speaks as "mxguard VERB". */
class MainTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void aVerbWithoutItsSubcommandPrintsItsUsageUnderTheFullName() {
        Run r = run("queue");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: mxguard queue").contains("list", "flush", "hold");
    }

    @Test
    void aBadOptionOfAVerbIsAnErrorNamingTheVerb() {
        Run r = run("analyze", "--no-such-option", "x.log");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--no-such-option'");
        Run missing = run("analyze");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("mxguard analyze: no backup MX log given").contains("Usage: mxguard analyze");
    }

    @Test
    void nestedVerbsKeepTheirPath() {
        Run r = run("policy", "check", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: mxguard policy check");
    }

    @Test
    void theRootStillListsEveryVerb() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("Usage: mxguard").contains("serve", "check-config", "queue", "policy",
                "analyze", "version");
        assertThat(run("no-such-verb").code()).isEqualTo(2);
    }
}
